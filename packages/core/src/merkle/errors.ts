import { CodedError } from '../errors.js';

/**
 * Why a Merkle operation or proof check failed.
 *
 * - `BAD_ARGUMENT`: an index or size that is not a non-negative safe integer, or otherwise unusable.
 * - `INDEX_OUT_OF_RANGE`: leaf index ≥ tree size, node outside the tree, size beyond what the store holds.
 * - `SIZES_OUT_OF_ORDER`: consistency between sizes m > n.
 * - `EMPTY_TREE`: a consistency proof from size 0, which proves nothing (RFC 9162 §2.1.4 needs 0 < m).
 * - `BAD_HASH_LENGTH`: a hash (leaf, root or proof element) that is not 32 bytes.
 * - `PROOF_TOO_LONG`: more than 64 proof elements: rejected before any hashing.
 * - `PROOF_WRONG_LENGTH`: not the exact number of elements the sizes call for.
 * - `ROOT_MISMATCH`: the proof recomputes a different root.
 * - `MISSING_NODE`: a node-hash store does not hold a node a proof needs.
 * - `TREE_TOO_LARGE`: an in-memory tree beyond what one Buffer per level can hold.
 * - `BAD_TILE_PATH`, `BAD_TILE`: a C2SP tlog-tiles path or tile body that breaks the spec.
 * - `BAD_ENTRY_BUNDLE`: a tlog-tiles entry bundle that is truncated or holds an oversized entry.
 */
export type MerkleErrorCode =
  | 'BAD_ARGUMENT'
  | 'INDEX_OUT_OF_RANGE'
  | 'SIZES_OUT_OF_ORDER'
  | 'EMPTY_TREE'
  | 'BAD_HASH_LENGTH'
  | 'PROOF_TOO_LONG'
  | 'PROOF_WRONG_LENGTH'
  | 'ROOT_MISMATCH'
  | 'MISSING_NODE'
  | 'TREE_TOO_LARGE'
  | 'BAD_TILE_PATH'
  | 'BAD_TILE'
  | 'BAD_ENTRY_BUNDLE';

export class MerkleError extends CodedError<MerkleErrorCode> {}
