/**
 * Options of the latency recorder: defaults and the one parse step that validates them.
 * The range and precision decide each histogram's size (with the defaults, about 70 kB per
 * JS histogram; a recorder keeps two per stage and actor type).
 */
import { systemClock } from './clock.ts';
import { InvalidOptionError } from './errors.ts';
import type { Clock } from './types.ts';

export const DEFAULT_LOWEST_MICROS = 1;
export const DEFAULT_HIGHEST_MICROS = 60_000_000;
export const DEFAULT_SIGNIFICANT_DIGITS = 3;

export interface LatencyRecorderOptions {
  /** Smallest duration told apart from 0, in µs. Default `1`. */
  lowestMicros?: number;
  /** Largest duration tracked, in µs; longer ones are recorded as this. Default `60_000_000` (60 s). */
  highestMicros?: number;
  /** Decimal digits of precision kept at every magnitude, 1–5. Default `3`. */
  significantDigits?: number;
  /** Use WebAssembly histograms when `initLatency()` loaded them. Default `true`; `false` forces JS. */
  wasm?: boolean;
  /** Stamps the start and end of interval histograms (ms). Default `systemClock`. */
  clock?: Pick<Clock, 'now'>;
}

export type ParsedLatencyOptions = Required<LatencyRecorderOptions>;

export function defaultLatencyOptions(): ParsedLatencyOptions {
  return {
    lowestMicros: DEFAULT_LOWEST_MICROS,
    highestMicros: DEFAULT_HIGHEST_MICROS,
    significantDigits: DEFAULT_SIGNIFICANT_DIGITS,
    wasm: true,
    clock: systemClock,
  };
}

export function parseLatencyOptions(options: LatencyRecorderOptions): ParsedLatencyOptions {
  const d = defaultLatencyOptions();
  // `??`, not a spread: an option given as `undefined` takes its default.
  const o: ParsedLatencyOptions = {
    lowestMicros: options.lowestMicros ?? d.lowestMicros,
    highestMicros: options.highestMicros ?? d.highestMicros,
    significantDigits: options.significantDigits ?? d.significantDigits,
    wasm: options.wasm ?? d.wasm,
    clock: options.clock ?? d.clock,
  };
  if (!Number.isSafeInteger(o.lowestMicros) || o.lowestMicros < 1) {
    throw new InvalidOptionError('lowestMicros', `must be an integer >= 1, got ${o.lowestMicros}`);
  }
  if (!Number.isSafeInteger(o.highestMicros) || o.highestMicros < 2 * o.lowestMicros) {
    throw new InvalidOptionError('highestMicros', `must be an integer >= 2 * lowestMicros, got ${o.highestMicros}`);
  }
  if (!Number.isInteger(o.significantDigits) || o.significantDigits < 1 || o.significantDigits > 5) {
    throw new InvalidOptionError('significantDigits', `must be an integer from 1 to 5, got ${o.significantDigits}`);
  }
  return o;
}
