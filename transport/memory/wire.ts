/**
 * Non-durable messaging between the nodes of the simulated cluster, with NATS subject
 * matching (`*` one token, `>` one or more trailing tokens). A message reaches each matching
 * subscription as a task of the subscriber's node: a paused node gets it late, a crashed
 * one never. Like NATS, a subscriber sees one publisher's messages in publish order (each
 * subscription has a FIFO queue drained by one task at a time), while different subscribers
 * are served in any order.
 */
import type { Wire } from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';

/** Whether `subject` matches the NATS subject `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i]!;
    if (token === '>') return i < p.length - 1 ? false : s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

interface WireSubscription {
  readonly node: MemoryNode;
  readonly pattern: string;
  readonly handler: (data: Uint8Array, subject: string) => void;
  readonly queue: { data: Uint8Array; subject: string }[];
  draining: boolean;
  active: boolean;
}

export class MemoryWire {
  private readonly subs = new Set<WireSubscription>();

  constructor(private readonly report: (error: unknown, context: string) => void) {}

  /** Drops the node's subscriptions (it crashed or closed). */
  detach(node: MemoryNode): void {
    for (const sub of this.subs) if (sub.node === node) this.unsubscribe(sub);
  }

  /** The `Wire` a node's session exposes. */
  view(node: MemoryNode): Wire {
    return {
      publish: (subject, data) => {
        if (!node.connected) return;
        for (const sub of this.subs) {
          if (!subjectMatches(sub.pattern, subject)) continue;
          sub.queue.push({ data: data.slice(), subject });
          this.drain(sub);
        }
      },
      subscribe: (pattern, handler) => {
        const sub: WireSubscription = { node, pattern, handler, queue: [], draining: false, active: true };
        if (node.connected) this.subs.add(sub);
        return () => this.unsubscribe(sub);
      },
    };
  }

  private unsubscribe(sub: WireSubscription): void {
    sub.active = false;
    sub.queue.length = 0;
    this.subs.delete(sub);
  }

  private drain(sub: WireSubscription): void {
    if (sub.draining || !sub.active) return;
    sub.draining = true;
    sub.node.run(`wire ${sub.pattern} -> ${sub.node.id}`, () => {
      sub.draining = false;
      const next = sub.queue.shift();
      if (next === undefined || !sub.active) return;
      try {
        sub.handler(next.data, next.subject);
      } catch (error) {
        this.report(error, `wire handler '${sub.pattern}' on node '${sub.node.id}'`);
      }
      if (sub.queue.length > 0) this.drain(sub);
    });
  }
}
