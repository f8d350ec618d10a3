/**
 * Proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
 *
 * The algorithms are the RFC's, run on the RFC's fn/sn counters. In front of them sit the checks
 * the transparency-dev/merkle probes assert, each with its own code: argument ranges, 32-byte
 * hashes, at most 64 proof elements, and the exact proof length the sizes call for (so a padded
 * or truncated proof is PROOF_WRONG_LENGTH, not a generic mismatch). Root comparison is
 * constant-time.
 */
import { bytesEqual } from '../encoding.js';
import { MerkleError } from './errors.js';
import { checkHash, nodeHash } from './hash.js';
import { checkCount, isPowerOfTwo } from './math.js';
import { consistencyProofLength, inclusionProofLength } from './plan.js';

/** No valid proof for a tree of fewer than 2^64 leaves is longer. */
export const MAX_PROOF_LENGTH = 64;

function checkProof(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) throw new MerkleError('BAD_ARGUMENT', 'proof must be an array of hashes');
  if (proof.length > MAX_PROOF_LENGTH) {
    throw new MerkleError(
      'PROOF_TOO_LONG',
      `proof has ${proof.length} elements (at most ${MAX_PROOF_LENGTH})`,
    );
  }
  for (let i = 0; i < proof.length; i++) checkHash(`proof[${i}]`, proof[i]);
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-4), for chaining proofs: a
 * round-tree proof gives the round root, which is then a leaf of the calendar.
 */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkCount('leaf index', leafIndex);
  checkCount('tree size', treeSize);
  if (leafIndex >= treeSize) {
    throw new MerkleError('INDEX_OUT_OF_RANGE', `leaf ${leafIndex} is not in a tree of ${treeSize}`);
  }
  checkProof(proof);
  checkHash('leaf hash', leafHash);
  const want = inclusionProofLength(leafIndex, treeSize);
  if (proof.length !== want) {
    throw new MerkleError('PROOF_WRONG_LENGTH', `proof has ${proof.length} elements, expected ${want}`);
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new MerkleError('PROOF_WRONG_LENGTH', 'proof is longer than the path');
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleError('PROOF_WRONG_LENGTH', 'proof is shorter than the path');
  return r;
}

/** RFC 9162 §2.1.3.2. Returns normally when the proof holds, throws MerkleError otherwise. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkHash('root hash', root);
  const computed = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
  if (!bytesEqual(computed, root)) {
    throw new MerkleError('ROOT_MISMATCH', 'inclusion proof leads to a different root');
  }
}

/**
 * RFC 9162 §2.1.4.2: that the tree of size1 with root1 is a prefix of the tree of size2 with
 * root2. size1 = 0 is rejected (EMPTY_TREE), equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkCount('first tree size', size1);
  checkCount('second tree size', size2);
  if (size1 > size2) throw new MerkleError('SIZES_OUT_OF_ORDER', `tree size ${size1} > ${size2}`);
  if (size1 === 0)
    throw new MerkleError('EMPTY_TREE', 'a consistency proof from the empty tree proves nothing');
  checkProof(proof);
  if (size1 === size2) {
    // As transparency-dev/merkle: equal sizes are consistent exactly when the roots are the same
    // bytes (whatever their length; the probes assert this), with nothing to prove.
    if (proof.length !== 0) throw new MerkleError('PROOF_WRONG_LENGTH', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) throw new MerkleError('ROOT_MISMATCH', 'equal sizes but different roots');
    return;
  }
  checkHash('first root hash', root1);
  checkHash('second root hash', root2);
  const want = consistencyProofLength(size1, size2);
  if (proof.length !== want) {
    throw new MerkleError('PROOF_WRONG_LENGTH', `proof has ${proof.length} elements, expected ${want}`);
  }
  // Step 2: when size1 is a power of two, the old root itself is the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw new MerkleError('PROOF_WRONG_LENGTH', 'proof is longer than the path');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleError('PROOF_WRONG_LENGTH', 'proof is shorter than the path');
  if (!bytesEqual(fr, root1)) throw new MerkleError('ROOT_MISMATCH', 'proof does not lead to the first root');
  if (!bytesEqual(sr, root2))
    throw new MerkleError('ROOT_MISMATCH', 'proof does not lead to the second root');
}
