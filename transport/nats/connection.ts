/**
 * The one NATS connection of a session, plus what the rest of the transport needs to know
 * about its state: whether it is up right now, and a hook for drops and returns.
 *
 * `noAsyncTraces` is on because the client otherwise builds an `Error` (with stack) per
 * request to improve async stack traces, which costs most of its CPU on the publish path.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventSink } from './events.ts';

export interface Connection {
  readonly nc: NatsConnection;
  /** False between a disconnect and the following reconnect, and after close. */
  readonly up: boolean;
  /** Called on every drop/return; returns a function that removes the listener. */
  onChange(listener: (up: boolean) => void): () => void;
  /** Drains subscriptions and closes; resolves when closed. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly servers: string[];
  readonly name: string;
  readonly events: EventSink;
}

export async function openConnection(options: ConnectOptions): Promise<Connection> {
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    noAsyncTraces: true,
    // A node keeps trying for as long as it runs: an outage must end in a reconnect, not a
    // silently dead node. Appends fail loudly meanwhile.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 5_000,
  });
  return new TrackedConnection(nc, options.events);
}

class TrackedConnection implements Connection {
  up = true;
  readonly #listeners = new Set<(up: boolean) => void>();

  constructor(
    readonly nc: NatsConnection,
    private readonly events: EventSink,
  ) {
    void this.#watch();
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      // Draining fails when the connection is down or already closing; closing is what matters.
      await this.nc.close().catch(() => undefined);
    }
  }

  async #watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.#set(false, 'disconnected', s.server);
      else if (s.type === 'reconnect') this.#set(true, 'reconnected', s.server);
      else if (s.type === 'close') break;
    }
    this.#set(false, 'closed');
  }

  #set(up: boolean, status: 'disconnected' | 'reconnected' | 'closed', server?: string): void {
    this.up = up;
    this.events({ type: 'connection', status, server });
    for (const listener of [...this.#listeners]) {
      try {
        listener(up);
      } catch (error) {
        this.events({ type: 'error', where: 'connection listener', error });
      }
    }
  }
}
