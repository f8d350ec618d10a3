import {
  CompactRange,
  emptyRootHash,
  formatCheckpoint,
  signNote,
  verifyInclusion,
  consistencyProof,
  inclusionProof,
  treeRoot,
  type NoteSigner,
} from '@riik/core';
import { calendarLeafHash } from '@riik/ksi';
import type { CalendarStore } from './db/calendar-store.js';
import { TsaError } from './errors.js';

export interface AppendResult {
  calendarIndex: number;
  /** Calendar size after the append (the checkpoint's size). */
  size: number;
  /** Inclusion proof of the new entry in the tree of `size`. */
  calendarPath: Uint8Array[];
  /** The signed checkpoint for `size`. */
  checkpoint: string;
}

/**
 * The calendar: an append-only RFC 9162 log of round entries, with a signed C2SP checkpoint
 * for every size it reaches. Keeps the compact range in memory; every append is committed to
 * the store before it is visible (and before anyone gets a proof from it), so after a crash the
 * calendar continues from the last committed entry, consistently.
 */
export class Calendar {
  private range: CompactRange;
  private latest: { size: number; checkpoint: string };
  private lastTime: number;

  private constructor(
    readonly store: CalendarStore,
    private readonly signer: NoteSigner,
    readonly origin: string,
    range: CompactRange,
    checkpoint: string,
    lastTime: number,
  ) {
    this.range = range;
    this.latest = { size: range.size, checkpoint };
    this.lastTime = lastTime;
  }

  /** Load the calendar from its store (after a start or a crash). */
  static async open(store: CalendarStore, signer: NoteSigner, origin: string): Promise<Calendar> {
    const size = await store.size();
    let range: CompactRange;
    try {
      range = await CompactRange.restore(store, size);
    } catch (err) {
      throw new TsaError(
        'CALENDAR_CORRUPT',
        `cannot restore the calendar of size ${size}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const last = size > 0 ? await store.entry(size - 1) : undefined;
    const checkpoint = await signNote(
      formatCheckpoint({
        origin,
        treeSize: size,
        rootHash: size ? range.root() : emptyRootHash(),
        extensions: [],
      }),
      [signer],
    );
    return new Calendar(store, signer, origin, range, checkpoint, last?.timeMs ?? 0);
  }

  get size(): number {
    return this.range.size;
  }

  root(): Uint8Array {
    return this.range.root();
  }

  /** The latest signed checkpoint note. */
  get checkpoint(): string {
    return this.latest.checkpoint;
  }

  /** Round times never go backwards, even if the clock does. */
  nextTime(now: number): number {
    return Math.max(now, this.lastTime);
  }

  /**
   * Append a round: entry (time, root), commit, sign the checkpoint, and return the entry's
   * inclusion proof. Must not be called concurrently (the aggregator serialises rounds).
   */
  async append(timeMs: number, roundRoot: Uint8Array, roundSize: number): Promise<AppendResult> {
    const index = this.range.size;
    // The last leaf's inclusion proof is the frontier before it, smallest subtree first.
    const calendarPath = this.range.hashes.reverse();
    const next = this.range.clone();
    const leaf = calendarLeafHash(timeMs, roundRoot);
    const created = next.append(leaf);
    try {
      await this.store.append({ index, timeMs, root: roundRoot, roundSize }, created);
    } catch (err) {
      // The commit may or may not have happened (a lost connection): reload from the store.
      await this.reload().catch(() => undefined);
      throw new TsaError('ROUND_FAILED', `calendar append failed: ${(err as Error).message}`, { cause: err });
    }
    this.range = next;
    this.lastTime = timeMs;
    const size = next.size;
    const root = next.root();
    verifyInclusion(index, size, leaf, calendarPath, root); // cheap, and a proof must never be wrong
    const checkpoint = await signNote(
      formatCheckpoint({ origin: this.origin, treeSize: size, rootHash: root, extensions: [] }),
      [this.signer],
    );
    if (size > this.latest.size) this.latest = { size, checkpoint };
    return { calendarIndex: index, size, calendarPath, checkpoint };
  }

  private async reload(): Promise<void> {
    const size = await this.store.size();
    this.range = await CompactRange.restore(this.store, size);
    const last = size > 0 ? await this.store.entry(size - 1) : undefined;
    this.lastTime = Math.max(this.lastTime, last?.timeMs ?? 0);
    this.latest = {
      size,
      checkpoint: await signNote(
        formatCheckpoint({
          origin: this.origin,
          treeSize: size,
          rootHash: size ? this.range.root() : emptyRootHash(),
          extensions: [],
        }),
        [this.signer],
      ),
    };
  }

  inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    return inclusionProof(this.store, index, size);
  }

  consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    return consistencyProof(this.store, from, to);
  }

  rootAt(size: number): Promise<Uint8Array> {
    return size === this.size ? Promise.resolve(this.root()) : treeRoot(this.store, size);
  }
}
