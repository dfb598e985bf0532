/**
 * Status and error reports of the NATS transport, as one discriminated union (STYLE §9).
 * The transport never throws these at anyone: it hands them to `onEvent` and goes on.
 */

export type NatsTransportEvent =
  /** The connection to NATS dropped, came back, or closed for good. */
  | { readonly type: 'connection'; readonly status: 'disconnected' | 'reconnected' | 'closed'; readonly server?: string }
  /**
   * A partition consumer skipped a delivery (consumer sequence jumped), so it was recreated
   * from `restartSeq` to keep first deliveries in log order.
   */
  | {
      readonly type: 'consumer-gap';
      readonly partition: number;
      readonly expected: number;
      readonly got: number;
      readonly restartSeq: number;
    }
  /** A partition consumer ended without being asked to (e.g. deleted by a newer owner). */
  | { readonly type: 'consumer-ended'; readonly partition: number; readonly error?: unknown }
  /** This node took a partition's lease (`epoch` fences its writes). */
  | { readonly type: 'lease-acquired'; readonly partition: number; readonly epoch: number }
  /** This node handed a partition over after draining it. */
  | { readonly type: 'lease-released'; readonly partition: number; readonly epoch: number }
  /** This node lost a partition's lease without a drain (renewal refused or expired). */
  | { readonly type: 'lease-lost'; readonly partition: number; readonly epoch: number; readonly reason: string }
  /** The set of live members this node sees changed. */
  | { readonly type: 'members'; readonly members: readonly string[] }
  /** Something failed that nobody awaits (a handler threw, a background step failed). */
  | { readonly type: 'error'; readonly where: string; readonly error: unknown };

export type EventSink = (event: NatsTransportEvent) => void;

/** Wraps `onEvent` so that a throwing listener never breaks the transport's loops (STYLE §7). */
export function safeSink(onEvent: EventSink): EventSink {
  return (event) => {
    try {
      onEvent(event);
    } catch (error) {
      console.error('causeway/nats: onEvent threw', error);
    }
  };
}
