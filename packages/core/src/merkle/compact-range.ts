/**
 * The compact range [0, size) of an append-only log: the roots of the perfect subtrees the size
 * decomposes into (one per set bit of size, largest first), O(log n) hashes. Enough to append and
 * to compute the root after every append; the calendar keeps one in memory and persists the nodes
 * each append reports, from which any proof for any earlier size can later be built.
 */
import { MerkleError } from './errors.js';
import { checkHash, copyHash, emptyRootHash, nodeHash } from './hash.js';
import type { NodeHashReader, StoredNode } from './node.js';
import { foldRight, rootPlan } from './plan.js';

export class CompactRange {
  private constructor(
    private n: number,
    /** Frontier hashes, largest subtree first. */
    private readonly frontier: Uint8Array[],
    /** Level of each frontier hash. */
    private readonly levels: number[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, [], []);
  }

  /** From a saved frontier (`hashes` of size as `CompactRange.hashes` gives them). */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    const ids = rootPlan(size).ids;
    if (hashes.length !== ids.length) {
      throw new MerkleError(
        'BAD_ARGUMENT',
        `a range of size ${size} has ${ids.length} hashes, got ${hashes.length}`,
      );
    }
    hashes.forEach((h, i) => checkHash(`frontier hash ${i}`, h));
    return new CompactRange(
      size,
      hashes.map((h) => copyHash(h)),
      ids.map((id) => id.level),
    );
  }

  /** Reloads the frontier of `size` from stored nodes (after a restart). */
  static async restore(reader: NodeHashReader, size: number): Promise<CompactRange> {
    const ids = rootPlan(size).ids;
    const hashes = ids.length === 0 ? [] : await reader.readNodeHashes(ids);
    return CompactRange.fromHashes(size, hashes);
  }

  get size(): number {
    return this.n;
  }

  /** Copies of the frontier hashes, largest subtree first (what fromHashes takes back). */
  get hashes(): Uint8Array[] {
    return this.frontier.map((h) => copyHash(h));
  }

  /** MTH(D[0:size]). */
  root(): Uint8Array {
    return this.n === 0 ? emptyRootHash() : foldRight(this.frontier);
  }

  /**
   * Appends one leaf hash. Returns the perfect nodes that now exist and did not before: the leaf
   * (level 0, index size-1) and every parent it completed, bottom-up. Persist them all.
   */
  append(leafHash: Uint8Array): StoredNode[] {
    checkHash('leaf hash', leafHash);
    if (this.n >= Number.MAX_SAFE_INTEGER) throw new MerkleError('TREE_TOO_LARGE', 'log is full');
    let hash = copyHash(leafHash);
    let level = 0;
    let index = this.n;
    const created: StoredNode[] = [{ level, index, hash }];
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = nodeHash(this.frontier.pop()!, hash);
      level++;
      index = Math.floor(index / 2);
      created.push({ level, index, hash });
    }
    this.frontier.push(hash);
    this.levels.push(level);
    this.n++;
    return created;
  }

  clone(): CompactRange {
    return new CompactRange(this.n, this.hashes, [...this.levels]);
  }
}
