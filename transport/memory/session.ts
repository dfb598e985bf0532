/**
 * What one node gets from the memory transport: the shared log, store, dead letters and
 * wire seen through that node (so its liveness applies to every call), and its ownership.
 */
import type {
  DeadLetterSink,
  Log,
  Ownership,
  StateStore,
  TransportSession,
  Wire,
} from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';

export interface SessionParts {
  readonly partitions: number;
  readonly log: Log;
  readonly state: StateStore;
  readonly ownership: Ownership;
  readonly deadLetters: DeadLetterSink;
  readonly wire: Wire;
  /** Called once after a graceful close has given up every partition. */
  readonly disconnect: () => void;
}

export class MemorySession implements TransportSession {
  readonly partitions: number;
  readonly log: Log;
  readonly state: StateStore;
  readonly ownership: Ownership;
  readonly deadLetters: DeadLetterSink;
  readonly wire: Wire;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly node: MemoryNode,
    private readonly parts: SessionParts,
  ) {
    this.partitions = parts.partitions;
    this.log = parts.log;
    this.state = parts.state;
    this.ownership = parts.ownership;
    this.deadLetters = parts.deadLetters;
    this.wire = parts.wire;
  }

  /** Leaves gracefully: drains and releases every partition, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.node.connected && this.node.member) await this.ownership.stop();
      if (this.node.connected) this.parts.disconnect();
    })();
    return this.closing;
  }
}
