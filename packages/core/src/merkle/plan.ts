/**
 * Which perfect nodes a root or proof is made of (pure index arithmetic, no hashing).
 *
 * The RFC 9162 recursions PATH (§2.1.3.1) and SUBPROOF (§2.1.4.1) are unrolled into loops. Every
 * proof element is MTH of some subtree D[a:b]; such a subtree either is perfect (one stored node)
 * or ends at the tree's right edge, in which case it is the right-to-left fold of the perfect
 * subtrees its size decomposes into (RFC 9162's split at the largest power of two below the size
 * is exactly that fold). A plan lists those nodes once, plus how to group them into elements.
 */
import { MerkleError } from './errors.js';
import { checkCount, bitLength, pow2, splitPoint } from './math.js';
import { nodeHash } from './hash.js';
import type { NodeId } from './node.js';

export interface ProofPlan {
  /** Perfect nodes to read, in proof order. */
  readonly ids: readonly NodeId[];
  /**
   * Element i of the result is the fold of ids[groupStart[i] .. groupStart[i+1]), where the last
   * group runs to the end of ids. A group of one node is that node's hash.
   */
  readonly groupStart: readonly number[];
}

/** Perfect nodes covering [begin, end), largest first; `begin` must be aligned as RFC subtrees are. */
function pushRange(ids: NodeId[], begin: number, end: number): void {
  while (begin < end) {
    // The largest aligned power of two that starts at begin and fits.
    let level = bitLength(end - begin) - 1;
    while (begin % pow2(level) !== 0) level--;
    ids.push({ level, index: begin / pow2(level) });
    begin += pow2(level);
  }
}

function planOf(ranges: Array<[number, number]>): ProofPlan {
  const ids: NodeId[] = [];
  const groupStart: number[] = [];
  // Ranges were collected root-first; proofs list them leaf-first.
  for (let r = ranges.length - 1; r >= 0; r--) {
    const [begin, end] = ranges[r]!;
    groupStart.push(ids.length);
    pushRange(ids, begin, end);
  }
  return { ids, groupStart };
}

/** RFC 9162 §2.1.3.1 PATH(index, D[0:size]). */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  checkCount('leaf index', index);
  checkCount('tree size', size);
  if (index >= size) throw new MerkleError('INDEX_OUT_OF_RANGE', `leaf ${index} is not in a tree of ${size}`);
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  let m = index;
  let n = size;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      ranges.push([offset + k, offset + n]);
      n = k;
    } else {
      ranges.push([offset, offset + k]);
      offset += k;
      m -= k;
      n -= k;
    }
  }
  return planOf(ranges);
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), for 0 < m ≤ n. */
export function consistencyProofPlan(size1: number, size2: number): ProofPlan {
  checkCount('first tree size', size1);
  checkCount('second tree size', size2);
  if (size1 > size2) throw new MerkleError('SIZES_OUT_OF_ORDER', `tree size ${size1} > ${size2}`);
  if (size1 === 0) throw new MerkleError('EMPTY_TREE', 'no consistency proof from the empty tree');
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  let m = size1;
  let n = size2;
  let complete = true; // SUBPROOF's b: whether the subtree is one the old tree had as a whole
  for (;;) {
    if (m === n) {
      if (!complete) ranges.push([offset, offset + n]);
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      ranges.push([offset + k, offset + n]);
      n = k;
    } else {
      ranges.push([offset, offset + k]);
      offset += k;
      m -= k;
      n -= k;
      complete = false;
    }
  }
  return planOf(ranges);
}

/** The perfect subtrees D[0:size] is made of (one group). Size 0 has none: its root is SHA-256(""). */
export function rootPlan(size: number): ProofPlan {
  checkCount('tree size', size);
  const ids: NodeId[] = [];
  pushRange(ids, 0, size);
  return { ids, groupStart: size === 0 ? [] : [0] };
}

/** Folds `hashes` right to left: H(h0, H(h1, … H(h[n-2], h[n-1]))). */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) throw new MerkleError('BAD_ARGUMENT', 'nothing to fold');
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** Turns the hashes of `plan.ids` (same order) into the proof elements. */
export function assembleProof(plan: ProofPlan, hashes: readonly Uint8Array[]): Uint8Array[] {
  if (hashes.length !== plan.ids.length) {
    throw new MerkleError('MISSING_NODE', `expected ${plan.ids.length} node hashes, got ${hashes.length}`);
  }
  const out: Uint8Array[] = [];
  for (let g = 0; g < plan.groupStart.length; g++) {
    const start = plan.groupStart[g]!;
    const end = plan.groupStart[g + 1] ?? plan.ids.length;
    out.push(end - start === 1 ? hashes[start]! : foldRight(hashes.slice(start, end)));
  }
  return out;
}

/** Number of elements in PATH(index, D[0:size]) (the caller has checked index < size). */
export function inclusionProofLength(index: number, size: number): number {
  let length = 0;
  let m = index;
  let n = size;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) n = k;
    else {
      m -= k;
      n -= k;
    }
    length++;
  }
  return length;
}

/** Number of elements in PROOF(size1, D[0:size2]) (the caller has checked 0 < size1 ≤ size2). */
export function consistencyProofLength(size1: number, size2: number): number {
  let length = 0;
  let m = size1;
  let n = size2;
  let complete = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) n = k;
    else {
      m -= k;
      n -= k;
      complete = false;
    }
    length++;
  }
  return complete ? length : length + 1;
}
