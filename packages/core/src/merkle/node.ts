/**
 * Addressing tree nodes, and the storage interface proofs are built from.
 *
 * A node is named by (level, index): level 0 holds the leaf hashes, and node (l, i) is the root of
 * the perfect subtree over leaves [i·2^l, (i+1)·2^l). Only such *perfect* nodes are stored: they
 * never change once the log has grown past them, which is what makes an append-only store (and
 * C2SP tiles) possible. Hashes of imperfect subtrees on the right edge of a tree are recomputed
 * from perfect ones when a proof or root needs them.
 */
import { checkCount, pow2 } from './math.js';
import { MerkleError } from './errors.js';

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

/**
 * Where proofs read perfect-node hashes from (a database table, tiles fetched over HTTP, memory).
 * Must return the hashes in the order asked, and reject with MerkleError MISSING_NODE (or its own
 * error) when it does not hold one: proofs never guess.
 */
export interface NodeHashReader {
  readNodeHashes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]>;
}

/** A NodeHashReader that can also take the nodes CompactRange.append reports. */
export interface NodeHashStore extends NodeHashReader {
  writeNodeHashes(nodes: readonly StoredNode[]): Promise<void>;
}

/** The leaves a node spans: [begin, end). */
export function nodeRange(id: NodeId): { begin: number; end: number } {
  const width = pow2(id.level);
  return { begin: id.index * width, end: (id.index + 1) * width };
}

export function checkNodeId(id: NodeId): void {
  checkCount('node level', id.level);
  checkCount('node index', id.index);
  if (id.level > 52 || !Number.isSafeInteger((id.index + 1) * pow2(id.level))) {
    throw new MerkleError('BAD_ARGUMENT', `node (${id.level}, ${id.index}) lies beyond 2^53 leaves`);
  }
}
