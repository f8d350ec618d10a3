/**
 * In-memory RFC 6962 trees that keep every level: the round trees of the aggregator, built once
 * per round and asked for an inclusion proof per leaf.
 *
 * Each level is one flat buffer of the level's *perfect* node hashes (node (l, i) at bytes
 * [32i, 32i+32)). A builder hashes a parent as soon as both children exist, so the hashing is
 * spread over the round and closing a round costs only the O(log n) nodes on the right edge.
 * Those right-edge nodes are kept apart: with them, the tree is the familiar "odd node is promoted
 * unchanged" layout, which is exactly RFC 6962's split at the largest power of two.
 */
import { constants } from 'node:buffer';
import { MerkleError } from './errors.js';
import {
  HASH_SIZE,
  checkHash,
  copyHash,
  emptyRootHash,
  leafHashInto,
  nodeHash,
  nodeHashInto,
} from './hash.js';
import { bitLength, checkCount } from './math.js';
import type { NodeId } from './node.js';
import {
  assembleProof,
  consistencyProofPlan,
  inclusionProofPlan,
  rootPlan,
  foldRight,
  type ProofPlan,
} from './plan.js';

/** Leaves one level buffer can hold: Node caps a Buffer at constants.MAX_LENGTH bytes. */
export const MAX_TREE_LEAVES = Math.min(2 ** 30, Math.floor(constants.MAX_LENGTH / HASH_SIZE));

const INITIAL_CAPACITY = 1024;

let makeTree: (size: number, levels: readonly Uint8Array[]) => MerkleTree;

/**
 * Builds a tree leaf by leaf. `build()` freezes it into a MerkleTree; the builder cannot be used
 * after that (start a new one for the next round).
 */
export class MerkleTreeBuilder {
  private levels: Buffer[] = [];
  /** Perfect nodes per level = floor(size / 2^level). */
  private counts: number[] = [];
  private n = 0;
  private built = false;

  constructor(expectedLeaves = INITIAL_CAPACITY) {
    checkCount('expected leaves', expectedLeaves);
    const capacity = Math.min(Math.max(expectedLeaves, 2), MAX_TREE_LEAVES);
    this.levels.push(Buffer.allocUnsafe(capacity * HASH_SIZE));
    this.counts.push(0);
  }

  /** Number of leaves so far. */
  get size(): number {
    return this.n;
  }

  /** Appends RFC 9162 leaf hash `hash` (32 bytes); returns its leaf index. */
  appendLeafHash(hash: Uint8Array): number {
    checkHash('leaf hash', hash);
    const index = this.reserve();
    this.levels[0]!.set(hash, index * HASH_SIZE);
    this.completeAbove(index);
    return index;
  }

  /** Appends the leaf with input `data` (hashes it as SHA-256(0x00 || data)); returns its index. */
  appendLeaf(data: Uint8Array): number {
    if (!(data instanceof Uint8Array))
      throw new MerkleError('BAD_ARGUMENT', 'leaf data must be a Uint8Array');
    const index = this.reserve();
    leafHashInto(data, this.levels[0]!, index * HASH_SIZE);
    this.completeAbove(index);
    return index;
  }

  /** Freezes the tree. */
  build(): MerkleTree {
    this.checkOpen();
    this.built = true;
    // Plain Uint8Array views (not Buffers), so that slice() copies.
    const levels = this.levels.map(
      (buf, l) => new Uint8Array(buf.buffer, buf.byteOffset, this.counts[l]! * HASH_SIZE),
    );
    return makeTree(this.n, levels);
  }

  private checkOpen(): void {
    if (this.built) throw new MerkleError('BAD_ARGUMENT', 'this tree builder has already been built');
  }

  private reserve(): number {
    this.checkOpen();
    const index = this.n;
    if (index >= MAX_TREE_LEAVES)
      throw new MerkleError('TREE_TOO_LARGE', `more than ${MAX_TREE_LEAVES} leaves`);
    this.ensureCapacity(0, index + 1);
    this.counts[0] = index + 1;
    this.n = index + 1;
    return index;
  }

  private ensureCapacity(level: number, nodes: number): void {
    let buf = this.levels[level];
    if (buf === undefined) {
      buf = Buffer.allocUnsafe(
        Math.max(2, Math.ceil(this.levels[0]!.length / HASH_SIZE / 2 ** level)) * HASH_SIZE,
      );
      this.levels[level] = buf;
      this.counts[level] = 0;
    }
    if (buf.length >= nodes * HASH_SIZE) return;
    const grown = Buffer.allocUnsafe(
      Math.min(Math.max(nodes, 2 * (buf.length / HASH_SIZE)), MAX_TREE_LEAVES) * HASH_SIZE,
    );
    buf.copy(grown, 0, 0, this.counts[level]! * HASH_SIZE);
    this.levels[level] = grown;
  }

  /** Leaf `index` was just written: hash every parent it completes. */
  private completeAbove(index: number): void {
    let i = index;
    let level = 0;
    // Indices stay below 2^30 (MAX_TREE_LEAVES), so 32-bit operators are exact here.
    while ((i & 1) === 1) {
      const parent = i >>> 1;
      this.ensureCapacity(level + 1, parent + 1);
      nodeHashInto(this.levels[level]!, (i - 1) * HASH_SIZE, this.levels[level + 1]!, parent * HASH_SIZE);
      this.counts[level + 1] = parent + 1;
      i = parent;
      level++;
    }
  }
}

/** A complete tree with every node, immutable. */
export class MerkleTree {
  /** Right-edge node per level (undefined where the level has none), see the module comment. */
  private readonly border: Array<Uint8Array | undefined>;
  private readonly rootHash: Uint8Array;

  private constructor(
    /** Number of leaves. */
    readonly size: number,
    private readonly levels: readonly Uint8Array[],
  ) {
    this.border = [undefined];
    let carry: Uint8Array | undefined;
    const height = size <= 1 ? 0 : bitLength(size - 1);
    for (let l = 1; l <= height; l++) {
      const j = Math.floor(size / 2 ** l);
      const below = this.perfectCount(l - 1);
      if (below === 2 * j + 1) {
        const left = this.perfect(l - 1, 2 * j);
        carry = carry === undefined ? left : nodeHash(left, carry);
      }
      this.border.push(carry);
    }
    this.rootHash = size === 0 ? emptyRootHash() : (this.border[height] ?? this.perfect(height, 0));
  }

  static {
    // Only MerkleTreeBuilder hands over level buffers (levels[l] holds floor(size / 2^l) hashes).
    makeTree = (size, levels) => new MerkleTree(size, levels);
  }

  /** The tree over these leaf hashes (each 32 bytes). */
  static fromLeafHashes(hashes: readonly Uint8Array[]): MerkleTree {
    const builder = new MerkleTreeBuilder(hashes.length);
    for (const h of hashes) builder.appendLeafHash(h);
    return builder.build();
  }

  /** The tree over these leaf inputs (each hashed as SHA-256(0x00 || data)). */
  static fromLeaves(leaves: Iterable<Uint8Array>): MerkleTree {
    const builder = new MerkleTreeBuilder(Array.isArray(leaves) ? leaves.length : undefined);
    for (const d of leaves) builder.appendLeaf(d);
    return builder.build();
  }

  /** MTH(D[0:size]); SHA-256("") for the empty tree. A fresh copy. */
  root(): Uint8Array {
    return copyHash(this.rootHash);
  }

  /** Number of levels above the leaves: the root is at this level. */
  get height(): number {
    return this.size <= 1 ? 0 : bitLength(this.size - 1);
  }

  leafHash(index: number): Uint8Array {
    this.checkLeaf(index);
    return copyHash(this.levels[0]!, index * HASH_SIZE);
  }

  /**
   * Hash of the perfect node (level, index), i.e. MTH of leaves [index·2^level, (index+1)·2^level).
   * These are the hashes a NodeHashStore would hold, and they serve proofs for any earlier size.
   */
  perfectNode(level: number, index: number): Uint8Array {
    checkCount('node level', level);
    checkCount('node index', index);
    if (index >= this.perfectCount(level)) {
      throw new MerkleError('MISSING_NODE', `no perfect node (${level}, ${index}) in a tree of ${this.size}`);
    }
    return copyHash(this.levels[level]!, index * HASH_SIZE);
  }

  /**
   * RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves (default: the
   * whole tree; smaller sizes are the earlier trees this one grew from).
   */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    if (size !== this.size) return this.fromPlan(inclusionProofPlan(index, this.checkSize(size)));
    this.checkLeaf(index);
    // Walk up the promoted-node layout: at each level the sibling, when there is one. Sizes are
    // below 2^30 (MAX_TREE_LEAVES), so 32-bit operators are exact.
    const proof: Uint8Array[] = [];
    const n = this.size;
    let j = index;
    for (let l = 0, width = n; width > 1; l++, width = (width + 1) >>> 1, j >>>= 1) {
      const sibling = j ^ 1;
      if (sibling >= width) continue;
      if (sibling < n >>> l)
        proof.push(this.levels[l]!.slice(sibling * HASH_SIZE, (sibling + 1) * HASH_SIZE));
      else proof.push(this.border[l]!.slice());
    }
    return proof;
  }

  /**
   * The inclusion proof of leaf `index` in the whole tree (as `inclusionProof(index)`), written
   * hash after hash into `out` from byte `offset`, without allocating. Returns the number of
   * hashes written (at most `height`). For servers that send a proof per leaf of a round:
   * `inclusionProof` allocates a copy per hash, which costs several times the tree itself.
   */
  writeInclusionProof(index: number, out: Uint8Array, offset: number): number {
    this.checkLeaf(index);
    const n = this.size;
    let count = 0;
    let j = index;
    for (let l = 0, width = n; width > 1; l++, width = (width + 1) >>> 1, j >>>= 1) {
      const sibling = j ^ 1;
      if (sibling >= width) continue;
      const at = offset + count * HASH_SIZE;
      if (!(at >= 0 && at + HASH_SIZE <= out.length))
        throw new MerkleError('BAD_ARGUMENT', 'the output buffer is too small for the proof');
      const perfect = sibling < n >>> l;
      const src = perfect ? this.levels[l]! : this.border[l]!;
      const from = perfect ? sibling * HASH_SIZE : 0;
      for (let k = 0; k < HASH_SIZE; k++) out[at + k] = src[from + k]!;
      count++;
    }
    return count;
  }

  /** RFC 9162 §2.1.4.1 consistency proof between the trees of size1 and size2 ≤ size leaves. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    return this.fromPlan(consistencyProofPlan(size1, this.checkSize(size2)));
  }

  /** Root of the earlier tree of `size` leaves. */
  rootAt(size: number): Uint8Array {
    if (size === this.size) return this.root();
    const plan = rootPlan(this.checkSize(size));
    return plan.ids.length === 0 ? emptyRootHash() : foldRight(this.readAll(plan.ids));
  }

  private fromPlan(plan: ProofPlan): Uint8Array[] {
    return assembleProof(plan, this.readAll(plan.ids)).map((h) => copyHash(h));
  }

  private readAll(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map((id) => this.perfect(id.level, id.index));
  }

  private checkSize(size: number): number {
    checkCount('tree size', size);
    if (size > this.size) throw new MerkleError('INDEX_OUT_OF_RANGE', `tree size ${size} > ${this.size}`);
    return size;
  }

  private checkLeaf(index: number): void {
    checkCount('leaf index', index);
    if (index >= this.size)
      throw new MerkleError('INDEX_OUT_OF_RANGE', `leaf ${index} is not in a tree of ${this.size}`);
  }

  private perfectCount(level: number): number {
    return level > 30 ? 0 : this.size >>> level;
  }

  /** View (not a copy) of a perfect node. */
  private perfect(level: number, index: number): Uint8Array {
    const buf = this.levels[level]!;
    return buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }
}

/** MTH of these leaf hashes without keeping the tree (O(log n) memory). */
export function merkleRoot(leafHashes: Iterable<Uint8Array>): Uint8Array {
  const stack: Uint8Array[] = [];
  let n = 0;
  for (const h of leafHashes) {
    checkHash('leaf hash', h);
    let top = h;
    // Merge while the count of equal-sized subtrees below makes a pair (the binary carry).
    for (let k = n; k % 2 === 1; k = Math.floor(k / 2)) top = nodeHash(stack.pop()!, top);
    stack.push(top);
    n++;
  }
  return n === 0 ? emptyRootHash() : foldRight(stack);
}
