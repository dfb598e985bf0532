/**
 * The load `causeway chaos` puts on its cluster, all through the ledger (chaos-ledger.ts):
 * - bank: transfers between random accounts (sagas: START -> DEBIT ask -> DEPOSIT) and
 *   deposits into random accounts, from the `bank` client; the total is known;
 * - FIFO: each `fifo-<k>` client numbers its events to each counter 1, 2, 3, ...
 * Sends are pipelined at a steady rate and never awaited one by one, so many are in flight
 * when a fault hits. A failed send is recorded and not retried (the contract allows it).
 */
import { account, transfer } from '../examples/bank/actors.ts';
import { counter, type CounterState } from '../examples/fifo/actors.ts';
import type { ChaosCluster } from './chaos-cluster.ts';
import type { Ledger } from './chaos-ledger.ts';
import { seededRandom } from './chaos-plan.ts';

export interface WorkloadOptions {
  readonly accounts: number;
  readonly initialBalance: number;
  readonly counters: number;
  /** Client sends per second, all kinds together. */
  readonly rate: number;
  readonly seed: number;
}

/** Shares of the rate; the rest are FIFO adds. */
const TRANSFER_SHARE = 0.35;
const DEPOSIT_SHARE = 0.15;
const TICK_MS = 10;
const ASK_TIMEOUT_MS = 30_000;

export const accountId = (i: number) => `acc-${i}`;
export const counterId = (i: number) => `c-${i}`;

/** Deposits the initial balance into every account; throws unless all were accepted. */
export async function seedAccounts(cluster: ChaosCluster, ledger: Ledger, o: WorkloadOptions): Promise<void> {
  const calls = Array.from({ length: o.accounts }, (_, i) =>
    ledger.send(cluster.bank, account.ref(accountId(i)), { type: 'DEPOSIT', amount: o.initialBalance }, 'deposit', o.initialBalance),
  );
  await ledger.drained();
  const failed = calls.filter((c) => !c.accepted).length;
  if (failed > 0) throw new Error(`${failed} of ${o.accounts} seed deposits not accepted: ${ledger.errors.join('; ')}`);
}

/**
 * Every balance, asked through the bank client: its asks are processed after all its
 * earlier deposits to the same account (per-sender FIFO), including deposits whose
 * acceptance it never heard of.
 */
export async function readBalances(cluster: ChaosCluster, ledger: Ledger, accounts: number, timeoutMs = ASK_TIMEOUT_MS): Promise<number[]> {
  const asks = Array.from({ length: accounts }, (_, i) => ledger.ask(cluster.bank, account.ref(accountId(i)), { type: 'BALANCE' }, timeoutMs));
  return (await Promise.all(asks)) as number[];
}

/**
 * Every counter's state, asked by every FIFO sender: `states[k][j]` is counter j as seen by
 * sender k after all of k's adds to it (per-sender FIFO again), so k's part of it is final.
 */
export async function readCounters(cluster: ChaosCluster, ledger: Ledger, counters: number, timeoutMs = ASK_TIMEOUT_MS): Promise<CounterState[][]> {
  return Promise.all(
    cluster.fifo.map(
      (client) =>
        Promise.all(Array.from({ length: counters }, (_, j) => ledger.ask(client, counter.ref(counterId(j)), { type: 'GET' }, timeoutMs))) as Promise<
          CounterState[]
        >,
    ),
  );
}

export interface LoadStats {
  readonly transfers: number;
  readonly deposits: number;
  readonly adds: number;
}

/** The steady load; `stop()` ends it and waits until every send settled. */
export class Load {
  readonly #random: () => number;
  readonly #next = new Map<string, number>(); // `${sender}\0${counter}` -> last n
  #issued = 0;
  #timer: NodeJS.Timeout | undefined;
  #began = 0;
  readonly stats = { transfers: 0, deposits: 0, adds: 0 };

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly ledger: Ledger,
    private readonly o: WorkloadOptions,
  ) {
    this.#random = seededRandom(o.seed);
  }

  start(): void {
    this.#began = Date.now();
    const tick = (): void => {
      const due = Math.floor(((Date.now() - this.#began) * this.o.rate) / 1000);
      while (this.#issued < due) this.#sendOne(this.#issued++);
      this.#timer = setTimeout(tick, TICK_MS);
    };
    tick();
  }

  async stop(): Promise<LoadStats> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.ledger.drained();
    return { ...this.stats };
  }

  #sendOne(i: number): void {
    const r = this.#random();
    const pick = (n: number) => Math.floor(this.#random() * n);
    const { cluster, ledger, o } = this;
    if (r < TRANSFER_SHARE) {
      const from = pick(o.accounts);
      const to = (from + 1 + pick(o.accounts - 1)) % o.accounts;
      const amount = 1 + pick(100);
      const event = { type: 'START', from: accountId(from), to: accountId(to), amount } as const;
      ledger.send(cluster.bank, transfer.ref(`t-${o.seed}-${i}`), event, 'transfer', amount);
      this.stats.transfers++;
    } else if (r < TRANSFER_SHARE + DEPOSIT_SHARE) {
      const amount = 1 + pick(50);
      ledger.send(cluster.bank, account.ref(accountId(pick(o.accounts))), { type: 'DEPOSIT', amount }, 'deposit', amount);
      this.stats.deposits++;
    } else {
      const sender = cluster.fifo[pick(cluster.fifo.length)]!;
      const target = counterId(pick(o.counters));
      const key = `${sender.id}\0${target}`;
      const n = (this.#next.get(key) ?? 0) + 1;
      this.#next.set(key, n);
      ledger.send(sender, counter.ref(target), { type: 'ADD', sender: sender.id, n }, 'add', n);
      this.stats.adds++;
    }
  }
}
