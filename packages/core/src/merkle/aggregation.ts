/**
 * How a pre-aggregated subtree enters a round tree.
 *
 * A KSI client (or a lower aggregator) may submit the root of its own hash tree together with that
 * tree's level (height). Two placements were considered:
 *
 * (a) Put the root into the round tree as an internal node of height h. RFC 6962's shape only has
 *     such a node at a position aligned to 2^h inside a perfect subtree, covering 2^h leaf slots.
 *     The aggregator would have to pad to the alignment (up to 2^h - 1 filler leaves), reserve 2^h
 *     slots it knows nothing about, trust the claimed height (a claim of h = 40 would make the
 *     round a trillion leaves wide), and accept that the submitter's tree is exactly a perfect
 *     RFC 6962 tree of 2^h leaves, which it cannot check. Tree size would stop meaning
 *     "submissions", and a lying submitter could pass an internal node off as a leaf slot range.
 *
 * (b) Treat (root, level) as one leaf. Its leaf data commits to the level, the round tree stays a
 *     plain RFC 6962 tree with one leaf per submission, and the submitter extends its own path:
 *     its own proof up to its root, then this leaf step, then the round tree's inclusion proof.
 *
 * riik uses (b). It is sound without trusting the submitter (the level cannot be changed after the
 * fact because it is inside the leaf hash, and the 0x00 leaf prefix keeps a submitted root from
 * being read as a round-tree node), costs nothing per submission, and mirrors KSI, where each
 * aggregator's output is an input of the next one up and the level is part of what is hashed.
 *
 * Leaf data is one level byte followed by the submitted hash; level 0 is a plain document hash.
 */
import { MerkleError } from './errors.js';
import { leafHash } from './hash.js';

/** Largest submitted level (it is one byte in the leaf data). */
export const MAX_AGGREGATION_LEVEL = 255;

/** Longest submitted hash: room for an imprint (algorithm id byte + digest) of SHA-512 and more. */
export const MAX_SUBMITTED_HASH = 128;

/** The round-tree leaf data for a submitted `hash` at `level`: level byte || hash. */
export function aggregationLeafData(hash: Uint8Array, level = 0): Uint8Array {
  if (!Number.isInteger(level) || level < 0 || level > MAX_AGGREGATION_LEVEL) {
    throw new MerkleError('BAD_ARGUMENT', `aggregation level must be 0..${MAX_AGGREGATION_LEVEL}`);
  }
  if (!(hash instanceof Uint8Array) || hash.byteLength === 0 || hash.byteLength > MAX_SUBMITTED_HASH) {
    throw new MerkleError('BAD_HASH_LENGTH', `submitted hash must be 1..${MAX_SUBMITTED_HASH} bytes`);
  }
  const data = new Uint8Array(1 + hash.byteLength);
  data[0] = level;
  data.set(hash, 1);
  return data;
}

/** SHA-256(0x00 || level || hash): the round-tree leaf hash of a submission. */
export function aggregationLeafHash(hash: Uint8Array, level = 0): Uint8Array {
  return leafHash(aggregationLeafData(hash, level));
}
