/**
 * The actors `causeway chaos` runs on its node processes (loaded by path with `--actors`):
 * the bank (accounts and transfer sagas) and the FIFO counters, side by side in one namespace.
 */
import { bankActors } from '../examples/bank/actors.ts';
import { fifoActors } from '../examples/fifo/actors.ts';

export const chaosActors = [...bankActors, ...fifoActors] as const;
