/**
 * Where everything lives on NATS (DESIGN §3), derived from the namespace in one place so that
 * every node of a cluster computes the same names:
 *
 * - stream `<ns>`, subjects `<ns>.p.<partition>.<actorType>`: the partitioned log
 * - durable pull consumer `<ns>-p<partition>`, filter `<ns>.p.<partition>.*`
 * - stream `<ns>-dlq`, subject `<ns>.dlq`: dead letters
 * - KV `<ns>-members` (heartbeats), `<ns>-leases` (key `p<N>`), `<ns>-state` (actor records)
 * - core subjects `<ns>.wire.<subject>`: non-durable messaging
 *
 * Stream, consumer and bucket names may not contain dots, so the namespace's dots become `_`.
 */

export interface Layout {
  readonly namespace: string;
  readonly stream: string;
  readonly dlqStream: string;
  readonly dlqSubject: string;
  readonly membersBucket: string;
  readonly leasesBucket: string;
  readonly stateBucket: string;
  readonly wirePrefix: string;
  /** Subject an envelope for `actorType` in `partition` is appended to. */
  logSubject(partition: number, actorType: string): string;
  /** Filter of the partition's consumer. */
  partitionFilter(partition: number): string;
  consumerName(partition: number): string;
  leaseKey(partition: number): string;
}

export function layoutOf(namespace: string): Layout {
  const name = namespace.replace(/\./g, '_');
  const logPrefix = `${namespace}.p.`;
  return {
    namespace,
    stream: name,
    dlqStream: `${name}-dlq`,
    dlqSubject: `${namespace}.dlq`,
    membersBucket: `${name}-members`,
    leasesBucket: `${name}-leases`,
    stateBucket: `${name}-state`,
    wirePrefix: `${namespace}.wire.`,
    logSubject: (partition, actorType) => `${logPrefix}${partition}.${subjectToken(actorType)}`,
    partitionFilter: (partition) => `${logPrefix}${partition}.*`,
    consumerName: (partition) => `${name}-p${partition}`,
    leaseKey: (partition) => `p${partition}`,
  };
}

/**
 * The actor type is only informative in the subject (consumers filter on the partition), so
 * characters a subject token cannot hold are replaced rather than rejected.
 */
export function subjectToken(text: string): string {
  const token = text.replace(/[\s.*>]/g, '_');
  return token === '' ? '_' : token;
}

/**
 * A KV key for any string (actor keys `<type>/<id>`, node ids): base64url of its UTF-8 bytes,
 * which only uses characters KV keys allow and never starts or ends with a dot.
 */
export function kvKey(text: string): string {
  const key = Buffer.from(text, 'utf8').toString('base64url');
  return key === '' ? '_' : key;
}
