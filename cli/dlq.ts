/**
 * `causeway dlq`: lists a namespace's dead letters and replays them. A replay sends the
 * original event to its actor again as a NEW send (new id, from this tool's own client
 * sender), through a node that owns no partitions. The dead letter stays where it is, so
 * replaying it twice sends it twice.
 */
import { natsTransport } from '../index.ts';
// The runtime's createNode takes plain behaviors: this tool may know actor types by name only.
import { createNode, partitionOf, type Behavior, type DeadLetter } from '../runtime/index.ts';
import { flag, integer, optionalString, parse, requiredString, UsageError } from './args.ts';
import { serversOf } from './nats-flags.ts';
import { clientOnly, namedTypes } from './client-transport.ts';
import { loadActors } from './load-actors.ts';

export const USAGE = `usage: causeway dlq --nats <url> [flags] [list | replay <n> | replay --all]

  list (default)      every dead letter, oldest first: number, time, reason, actor,
                      event type, node, error
  replay <n>          send letter number <n>'s event to its actor again, as a new event
  replay --all        replay every letter that still has its event

  --nats <url>        NATS server url; several comma-separated
  --namespace <ns>    default 'causeway'
  --partitions <n>    default 64; must be the cluster's (a replay goes to the actor's partition)
  --actors <module>   check replayed events against these actor definitions first
  --json              one JSON object per letter (list) or per replay

A replay is a new send: it is not ordered with the original sender's other events.`;

const OPTIONS = {
  nats: { type: 'string' },
  namespace: { type: 'string' },
  partitions: { type: 'string' },
  actors: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function main(args: string[]): Promise<number> {
  const p = parse(args, OPTIONS, true);
  const [action = 'list', which, ...extra] = p.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (action !== 'list' && action !== 'replay') throw new UsageError(`unknown action '${action}' (list or replay)`);
  if (action === 'list' && (which !== undefined || flag(p, 'all'))) throw new UsageError('list takes no letter number');
  if (action === 'replay' && (which === undefined) === !flag(p, 'all')) throw new UsageError('replay takes a letter number or --all');
  const partitions = integer(p, 'partitions', 64, 1, 4096);
  const namespace = optionalString(p, 'namespace');
  const json = flag(p, 'json');
  const nats = { servers: serversOf(requiredString(p, 'nats')), partitions, ...(namespace ? { namespace } : {}) };
  const modulePath = optionalString(p, 'actors');
  const known: Behavior[] = modulePath ? await loadActors(modulePath) : [];

  // Listing needs no actor types; the node is made once the letters name them.
  const lister = await createNode({ behaviors: known, transport: clientOnly(natsTransport(nats)) });
  const letters = await lister.deadLetters().finally(() => lister.stop());
  if (action === 'list') return list(letters, json, namespace);

  const numbers = which === undefined ? letters.map((_, i) => i + 1) : [letterNumber(which, letters.length)];
  const types = letters.flatMap((l) => (l.envelope ? [l.envelope.to.type] : [])).filter((t) => !known.some((b) => b.type === t));
  const node = await createNode({ behaviors: [...known, ...namedTypes(types)], transport: clientOnly(natsTransport(nats)) });
  let failed = 0;
  try {
    for (const n of numbers) {
      const letter = letters[n - 1]!;
      const envelope = letter.envelope;
      if (envelope === undefined) {
        failed++;
        report(json, { letter: n, replayed: false, reason: 'the event could not be decoded; nothing to replay' });
        continue;
      }
      if (letter.partition >= 0 && partitionOf(envelope.to, partitions) !== letter.partition) {
        throw new UsageError(`letter ${n} came from partition ${letter.partition}, but with --partitions ${partitions} its actor maps to ${partitionOf(envelope.to, partitions)}: give the cluster's partition count`);
      }
      try {
        const receipt = await node.send(envelope.to, envelope.payload);
        report(json, { letter: n, replayed: true, to: `${envelope.to.type}/${envelope.to.id}`, event: envelope.type, originalId: envelope.id, newId: receipt.id });
      } catch (error) {
        failed++;
        report(json, { letter: n, replayed: false, reason: (error as Error).message });
      }
    }
  } finally {
    await node.stop();
  }
  return failed === 0 ? 0 : 1;
}

function letterNumber(text: string, count: number): number {
  if (count === 0) throw new Error('there are no dead letters to replay');
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= count)) throw new UsageError(`letter number must be 1..${count} (got '${text}')`);
  return n;
}

function list(letters: readonly DeadLetter[], json: boolean, namespace: string | undefined): number {
  if (letters.length === 0 && !json) console.log(`no dead letters in namespace '${namespace ?? 'causeway'}'`);
  letters.forEach((l, i) => {
    const row = {
      letter: i + 1,
      at: new Date(l.at).toISOString(),
      reason: l.reason,
      actor: l.envelope ? `${l.envelope.to.type}/${l.envelope.to.id}` : '?',
      event: l.envelope?.type ?? '?',
      node: l.node,
      partition: l.partition,
      error: l.error,
    };
    if (json) console.log(JSON.stringify(row));
    else console.log(`#${row.letter}  ${row.at}  ${row.reason.padEnd(18)} ${row.actor}  ${row.event}  on ${row.node}: ${row.error}`);
  });
  return 0;
}

function report(json: boolean, r: Record<string, unknown>): void {
  if (json) console.log(JSON.stringify(r));
  else if (r.replayed) console.log(`#${r.letter} replayed: ${r.event} to ${r.to} as new event ${r.newId} (original ${r.originalId})`);
  else console.log(`#${r.letter} not replayed: ${r.reason}`);
}
