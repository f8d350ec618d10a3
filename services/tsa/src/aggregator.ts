import { MerkleTreeBuilder, type MerkleTree } from '@riik/core';
import type { RoundHeader } from '@riik/ksi';
import type { Logger } from '@riik/http';
import type { Calendar } from './calendar.js';
import { TsaError } from './errors.js';

/** A closed, durably stored round: its tree (for proofs) and what every signature in it shares. */
export interface ClosedRound {
  header: RoundHeader;
  tree: MerkleTree;
}

/** A round being filled. Submitters hold it and await `closed`. */
export class Round {
  readonly builder: MerkleTreeBuilder;
  readonly closed: Promise<ClosedRound>;
  private settle!: { resolve: (r: ClosedRound) => void; reject: (e: unknown) => void };

  constructor(
    readonly number: number,
    expected: number,
  ) {
    this.builder = new MerkleTreeBuilder(expected);
    this.closed = new Promise<ClosedRound>((resolve, reject) => (this.settle = { resolve, reject }));
    this.closed.catch(() => undefined); // a failure is reported to those who await it
  }

  get size(): number {
    return this.builder.size;
  }

  resolve(r: ClosedRound): void {
    this.settle.resolve(r);
  }

  reject(err: unknown): void {
    this.settle.reject(err);
  }
}

export interface AggregatorOptions {
  /** Round length (default 1000 ms). */
  roundMs?: number;
  /** Close a round as soon as it has this many leaves (default 1,000,000). */
  maxRoundSize?: number;
  now?: () => Date;
  log: Logger;
  /** Called after each round is stored (metrics). */
  onRound?: (round: ClosedRound, closeMs: number) => void;
}

/**
 * The KSI-style aggregator: collects submissions into a round tree (RFC 6962 shape, one leaf
 * per submission, leaf data = level byte || hash), and on each timer tick (or when the round is
 * full) closes the round: builds the tree, appends its root to the calendar (committed to disk),
 * and only then lets the round's submitters have their proofs. Empty rounds are skipped: the
 * calendar gets an entry only when something was submitted.
 *
 * Rounds close strictly in order, one at a time; submissions that arrive meanwhile go to the
 * next round, so closing never blocks submitting.
 */
export class Aggregator {
  readonly roundMs: number;
  readonly maxRoundSize: number;
  private current: Round;
  private closing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private roundNumber = 0;
  private expected = 1024;
  private stopped = false;
  private readonly now: () => Date;

  constructor(
    private readonly calendar: Calendar,
    private readonly options: AggregatorOptions,
  ) {
    this.roundMs = options.roundMs ?? 1000;
    this.maxRoundSize = options.maxRoundSize ?? 1_000_000;
    this.now = options.now ?? (() => new Date());
    this.current = new Round(this.roundNumber++, this.expected);
  }

  start(): void {
    this.timer = setInterval(() => void this.closeRound(), this.roundMs);
  }

  /** Stop the timer and close what is pending (submitters of the last round still get proofs). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.closeRound();
    this.stopped = true;
  }

  /** Leaves in the round being filled. */
  get pending(): number {
    return this.current.size;
  }

  /**
   * Add one submission: `leafData` is level byte || hash (the view may be reused after the call).
   * Returns the round it joined and its leaf index there.
   */
  add(leafData: Uint8Array): { round: Round; index: number } {
    if (this.stopped) throw new TsaError('SHUTTING_DOWN', 'the aggregator is shutting down');
    const round = this.current;
    const index = round.builder.appendLeaf(leafData);
    if (round.size >= this.maxRoundSize) void this.closeRound();
    return { round, index };
  }

  /** Close the round being filled, if it has anything; resolves when it is stored. */
  closeRound(): Promise<void> {
    const round = this.current;
    if (round.size === 0) return this.closing;
    // Size the next round's buffers like this one, so a steady load does not regrow them.
    this.expected = Math.max(1024, round.size);
    this.current = new Round(this.roundNumber++, this.expected);
    const run = this.closing.then(() => this.close(round));
    this.closing = run;
    return run;
  }

  private async close(round: Round): Promise<void> {
    const started = performance.now();
    try {
      const tree = round.builder.build();
      const time = this.calendar.nextTime(this.now().getTime());
      const roundRoot = tree.root();
      const appended = await this.calendar.append(time, roundRoot, tree.size);
      const closed: ClosedRound = {
        tree,
        header: {
          calendarIndex: appended.calendarIndex,
          roundTime: time,
          roundSize: tree.size,
          roundRoot,
          calendarPath: appended.calendarPath,
          checkpoint: appended.checkpoint,
        },
      };
      round.resolve(closed);
      this.options.onRound?.(closed, performance.now() - started);
    } catch (err) {
      this.options.log.error({ err: String(err), round: round.number }, 'round failed');
      round.reject(err instanceof TsaError ? err : new TsaError('ROUND_FAILED', String(err), { cause: err }));
    }
  }
}
