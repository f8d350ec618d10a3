/**
 * Proofs and roots read from a node-hash store, for logs too large or too long-lived to hold as a
 * MerkleTree (the calendar), plus an in-memory store for tests and small logs.
 */
import { MerkleError } from './errors.js';
import { HASH_SIZE, copyHash, emptyRootHash } from './hash.js';
import {
  checkNodeId,
  type NodeHashReader,
  type NodeHashStore,
  type NodeId,
  type StoredNode,
} from './node.js';
import {
  assembleProof,
  consistencyProofPlan,
  foldRight,
  inclusionProofPlan,
  rootPlan,
  type ProofPlan,
} from './plan.js';

async function read(reader: NodeHashReader, plan: ProofPlan): Promise<readonly Uint8Array[]> {
  if (plan.ids.length === 0) return [];
  const hashes = await reader.readNodeHashes(plan.ids);
  if (hashes.length !== plan.ids.length) {
    throw new MerkleError(
      'MISSING_NODE',
      `store returned ${hashes.length} of ${plan.ids.length} node hashes`,
    );
  }
  hashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.byteLength !== HASH_SIZE) {
      const id = plan.ids[i]!;
      throw new MerkleError(
        'BAD_HASH_LENGTH',
        `store returned a bad hash for node (${id.level}, ${id.index})`,
      );
    }
  });
  return hashes;
}

/** RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size`, from stored nodes. */
export async function inclusionProof(
  reader: NodeHashReader,
  index: number,
  size: number,
): Promise<Uint8Array[]> {
  const plan = inclusionProofPlan(index, size);
  return assembleProof(plan, await read(reader, plan));
}

/** RFC 9162 §2.1.4.1 consistency proof from size1 to size2 (0 < size1 ≤ size2), from stored nodes. */
export async function consistencyProof(
  reader: NodeHashReader,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  const plan = consistencyProofPlan(size1, size2);
  return assembleProof(plan, await read(reader, plan));
}

/** MTH(D[0:size]) from stored nodes. */
export async function treeRoot(reader: NodeHashReader, size: number): Promise<Uint8Array> {
  const plan = rootPlan(size);
  return plan.ids.length === 0 ? emptyRootHash() : foldRight(await read(reader, plan));
}

/** Node hashes in memory, one array per level. */
export class MemoryNodeStore implements NodeHashStore {
  private readonly levels: Array<Map<number, Uint8Array>> = [];

  async readNodeHashes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return ids.map((id) => this.get(id.level, id.index));
  }

  async writeNodeHashes(nodes: readonly StoredNode[]): Promise<void> {
    for (const node of nodes) this.put(node);
  }

  /** Synchronous put, for tests and in-process logs. */
  put(node: StoredNode): void {
    checkNodeId(node);
    if (node.hash.byteLength !== HASH_SIZE)
      throw new MerkleError('BAD_HASH_LENGTH', 'node hash must be 32 bytes');
    (this.levels[node.level] ??= new Map()).set(node.index, copyHash(node.hash));
  }

  /** Synchronous get; throws MISSING_NODE when absent. */
  get(level: number, index: number): Uint8Array {
    const hash = this.levels[level]?.get(index);
    if (hash === undefined)
      throw new MerkleError('MISSING_NODE', `no node (${level}, ${index}) in the store`);
    return copyHash(hash);
  }
}
