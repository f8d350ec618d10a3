import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  MAX_TREE_LEAVES,
  MemoryNodeStore,
  MerkleTree,
  MerkleTreeBuilder,
  aggregationLeafData,
  aggregationLeafHash,
  consistencyProof,
  inclusionProof,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  toHex,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type NodeHashReader,
  type NodeId,
} from '../src/index.js';
import { codeOf } from './helpers.js';

const leafData = (i: number): Uint8Array => new TextEncoder().encode(`leaf ${i}`);
const flip = (h: Uint8Array, bit: number): Uint8Array => {
  const c = new Uint8Array(h);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
};

/** Trees of every size up to 64, a few around powers of two, and the stores a compact range fills. */
const SMALL = Array.from({ length: 64 }, (_, i) => i + 1);
const LARGER = [127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025];
const MAX = 1025;
const full = MerkleTree.fromLeaves(Array.from({ length: MAX }, (_, i) => leafData(i)));
const store = new MemoryNodeStore();
const range = CompactRange.empty();
const rootsBySize = [toHex(range.root())];
for (let i = 0; i < MAX; i++) {
  for (const node of range.append(full.leafHash(i))) store.put(node);
  rootsBySize.push(toHex(range.root()));
}

/** RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 transcribed literally (recursive), as a reference. */
const reference = {
  k: (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1),
  mth(d: Uint8Array[]): Uint8Array {
    if (d.length === 1) return d[0]!;
    const k = reference.k(d.length);
    return nodeHash(reference.mth(d.slice(0, k)), reference.mth(d.slice(k)));
  },
  path(m: number, d: Uint8Array[]): Uint8Array[] {
    if (d.length === 1) return [];
    const k = reference.k(d.length);
    return m < k
      ? [...reference.path(m, d.slice(0, k)), reference.mth(d.slice(k))]
      : [...reference.path(m - k, d.slice(k)), reference.mth(d.slice(0, k))];
  },
  subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
    if (m === d.length) return b ? [] : [reference.mth(d)];
    const k = reference.k(d.length);
    return m <= k
      ? [...reference.subproof(m, d.slice(0, k), b), reference.mth(d.slice(k))]
      : [...reference.subproof(m - k, d.slice(k), false), reference.mth(d.slice(0, k))];
  },
};

describe('generated proofs equal the RFC 9162 recursive definitions', () => {
  it('every leaf and every pair of sizes up to 48', () => {
    const d = Array.from({ length: 48 }, (_, i) => full.leafHash(i));
    for (let n = 1; n <= 48; n++) {
      expect(toHex(full.rootAt(n))).toBe(toHex(reference.mth(d.slice(0, n))));
      for (let i = 0; i < n; i++) {
        expect(full.inclusionProof(i, n).map(toHex)).toEqual(reference.path(i, d.slice(0, n)).map(toHex));
      }
      for (let m = 1; m <= n; m++) {
        expect(full.consistencyProof(m, n).map(toHex)).toEqual(
          reference.subproof(m, d.slice(0, n), true).map(toHex),
        );
      }
    }
  });
});

describe('roots agree however they are computed', () => {
  for (const n of [0, ...SMALL, ...LARGER]) {
    it(`size ${n}`, async () => {
      const leaves = Array.from({ length: n }, (_, i) => leafData(i));
      const tree = MerkleTree.fromLeaves(leaves);
      const want = toHex(tree.root());
      expect(toHex(MerkleTree.fromLeafHashes(leaves.map(leafHash)).root())).toBe(want);
      expect(toHex(merkleRoot(leaves.map(leafHash)))).toBe(want);
      expect(toHex(full.rootAt(n))).toBe(want);
      expect(rootsBySize[n]).toBe(want);
      expect(toHex(await treeRoot(store, n))).toBe(want);
      expect(toHex((await CompactRange.restore(store, n)).root())).toBe(want);
    });
  }
});

function expectInclusionHolds(i: number, n: number, proof: Uint8Array[], root: Uint8Array): void {
  const leaf = full.leafHash(i);
  expect(() => verifyInclusion(i, n, leaf, proof, root)).not.toThrow();
  // Every bit of every element matters.
  proof.forEach((_, k) => {
    for (const bit of [0, 77, 255]) {
      const bad = proof.map((q, j) => (j === k ? flip(q, bit) : q));
      expect(codeOf(() => verifyInclusion(i, n, leaf, bad, root))).toBe('ROOT_MISMATCH');
    }
  });
  expect(codeOf(() => verifyInclusion(i, n, flip(leaf, 3), proof, root))).toBe('ROOT_MISMATCH');
  expect(codeOf(() => verifyInclusion(i, n, leaf, proof, flip(root, 200)))).toBe('ROOT_MISMATCH');
  expect(codeOf(() => verifyInclusion(i, n, leaf, [...proof, leaf], root))).toBe('PROOF_WRONG_LENGTH');
  if (proof.length > 0) {
    expect(codeOf(() => verifyInclusion(i, n, leaf, proof.slice(1), root))).toBe('PROOF_WRONG_LENGTH');
  }
  for (const j of [i - 1, i + 1, i ^ 1, i ^ 2]) {
    if (j < 0 || j >= n || j === i) continue;
    expect(codeOf(() => verifyInclusion(j, n, leaf, proof, root))).toBeDefined();
  }
  // (A different tree size can share the path's shape and so verify: RFC 9162 inclusion proofs do
  // not bind the size; the signed checkpoint does. Doubling it always changes the shape.)
  expect(codeOf(() => verifyInclusion(i, 2 * n + 2, leaf, proof, root))).toBeDefined();
  expect(codeOf(() => verifyInclusion(n, n, leaf, proof, root))).toBe('INDEX_OUT_OF_RANGE');
}

describe('inclusion proofs: generated, verified, and every mutation rejected', () => {
  for (const n of [...SMALL, ...LARGER]) {
    it(`size ${n}`, async () => {
      const tree = MerkleTree.fromLeaves(Array.from({ length: n }, (_, i) => leafData(i)));
      const root = tree.root();
      const indices = n <= 64 ? Array.from({ length: n }, (_, i) => i) : [0, 1, n >> 1, n - 2, n - 1];
      for (const i of indices) {
        const proof = tree.inclusionProof(i);
        // The fast per-level walk, the plan over an earlier size, and the store all agree.
        expect(proof.map(toHex)).toEqual(full.inclusionProof(i, n).map(toHex));
        expect(proof.map(toHex)).toEqual((await inclusionProof(store, i, n)).map(toHex));
        expect(toHex(rootFromInclusionProof(i, n, tree.leafHash(i), proof))).toBe(toHex(root));
        expectInclusionHolds(i, n, proof, root);
      }
    });
  }
});

describe('consistency proofs: generated, verified, and every mutation rejected', () => {
  const pairs: Array<[number, number]> = [];
  for (let n = 1; n <= 40; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);
  pairs.push([1, 1025], [127, 128], [128, 129], [255, 257], [256, 1024], [1000, 1025], [1024, 1025]);
  it(`${pairs.length} pairs`, async () => {
    for (const [m, n] of pairs) {
      const proof = full.consistencyProof(m, n);
      expect(proof.map(toHex)).toEqual((await consistencyProof(store, m, n)).map(toHex));
      const r1 = full.rootAt(m);
      const r2 = full.rootAt(n);
      expect(() => verifyConsistency(m, n, proof, r1, r2)).not.toThrow();
      if (m === n) {
        expect(proof).toHaveLength(0);
        expect(codeOf(() => verifyConsistency(m, n, [r1], r1, r2))).toBe('PROOF_WRONG_LENGTH');
        continue;
      }
      proof.forEach((_, k) => {
        const bad = proof.map((q, j) => (j === k ? flip(q, 9) : q));
        expect(codeOf(() => verifyConsistency(m, n, bad, r1, r2))).toBe('ROOT_MISMATCH');
      });
      expect(codeOf(() => verifyConsistency(m, n, proof, flip(r1, 1), r2))).toBe('ROOT_MISMATCH');
      expect(codeOf(() => verifyConsistency(m, n, proof, r1, flip(r2, 1)))).toBe('ROOT_MISMATCH');
      expect(codeOf(() => verifyConsistency(m, n, proof.slice(1), r1, r2))).toBe('PROOF_WRONG_LENGTH');
      expect(codeOf(() => verifyConsistency(m, n, [...proof, r1], r1, r2))).toBe('PROOF_WRONG_LENGTH');
      expect(codeOf(() => verifyConsistency(m, n, [], r1, r2))).toBe('PROOF_WRONG_LENGTH');
      expect(codeOf(() => verifyConsistency(m, n, proof, r2, r1))).toBeDefined();
      if (m + 1 < n) expect(codeOf(() => verifyConsistency(m + 1, n, proof, r1, r2))).toBeDefined();
      expect(codeOf(() => verifyConsistency(m, 2 * n + 2, proof, r1, r2))).toBeDefined();
      expect(codeOf(() => verifyConsistency(n, m, proof, r1, r2))).toBe('SIZES_OUT_OF_ORDER');
    }
  });
});

/**
 * A store for a huge virtual tree whose leaves are all the same hash: every perfect node at a
 * level is then the same hash, so trees beyond 2^32 (where 32-bit index arithmetic would break)
 * can be proved and verified without building them.
 */
function uniformReader(): NodeHashReader {
  const byLevel = [leafHash(new Uint8Array([7]))];
  for (let l = 1; l <= 53; l++) byLevel.push(nodeHash(byLevel[l - 1]!, byLevel[l - 1]!));
  return {
    readNodeHashes: async (ids: readonly NodeId[]) => ids.map((id) => byLevel[id.level]!),
  };
}

describe('index arithmetic beyond 32 bits', () => {
  const reader = uniformReader();
  const sizes = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 45 + 12345, Number.MAX_SAFE_INTEGER];
  for (const n of sizes) {
    it(`size ${n}`, async () => {
      const root = await treeRoot(reader, n);
      const leaf = leafHash(new Uint8Array([7]));
      for (const i of [0, 1, 2 ** 31, 2 ** 32 - 1, Math.floor(n / 3), n - 2, n - 1]) {
        if (i >= n) continue;
        const proof = await inclusionProof(reader, i, n);
        expect(proof.length).toBeLessThanOrEqual(53);
        expect(() => verifyInclusion(i, n, leaf, proof, root)).not.toThrow();
        expect(codeOf(() => verifyInclusion(i, n, leaf, proof.slice(1), root))).toBe('PROOF_WRONG_LENGTH');
      }
      for (const m of [1, 3, 2 ** 31 + 1, 2 ** 32 - 1, n - 1]) {
        if (m >= n) continue;
        const proof = await consistencyProof(reader, m, n);
        const old = await treeRoot(reader, m);
        expect(() => verifyConsistency(m, n, proof, old, root)).not.toThrow();
        expect(codeOf(() => verifyConsistency(m, n, [...proof, old], old, root))).toBe('PROOF_WRONG_LENGTH');
      }
    });
  }
});

describe('hostile input to the verifiers', () => {
  const h = leafHash(new Uint8Array(0));
  it('rejects huge proof arrays before hashing anything', () => {
    const huge = Array.from({ length: 1_000_000 }, () => h);
    expect(codeOf(() => verifyInclusion(0, 2 ** 50, h, huge, h))).toBe('PROOF_TOO_LONG');
    expect(codeOf(() => verifyConsistency(1, 2 ** 50, huge, h, h))).toBe('PROOF_TOO_LONG');
    expect(
      codeOf(() =>
        verifyInclusion(
          0,
          2,
          h,
          Array.from({ length: 65 }, () => h),
          h,
        ),
      ),
    ).toBe('PROOF_TOO_LONG');
  });
  it('rejects hashes of the wrong length', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new Uint8Array(64)]) {
      expect(codeOf(() => verifyInclusion(0, 2, bad, [h], h))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyInclusion(0, 2, h, [bad], h))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyInclusion(0, 2, h, [h], bad))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyConsistency(1, 2, [bad], h, h))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyConsistency(1, 2, [h], bad, h))).toBe('BAD_HASH_LENGTH');
      expect(codeOf(() => verifyConsistency(1, 2, [h], h, bad))).toBe('BAD_HASH_LENGTH');
    }
    const notBytes = 'x'.repeat(32) as unknown as Uint8Array;
    expect(codeOf(() => verifyInclusion(0, 2, h, [notBytes], h))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => verifyInclusion(0, 2, h, 'proof' as unknown as Uint8Array[], h))).toBe(
      'BAD_ARGUMENT',
    );
  });
  it('rejects sizes and indices that are not non-negative safe integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3' as unknown as number]) {
      expect(codeOf(() => verifyInclusion(bad, 4, h, [h, h], h))).toBe('BAD_ARGUMENT');
      expect(codeOf(() => verifyInclusion(0, bad, h, [h, h], h))).toBe('BAD_ARGUMENT');
      expect(codeOf(() => verifyConsistency(bad, 4, [h], h, h))).toBe('BAD_ARGUMENT');
      expect(codeOf(() => verifyConsistency(1, bad, [h], h, h))).toBe('BAD_ARGUMENT');
    }
  });
  it('applies the probe rules on sizes', () => {
    expect(codeOf(() => verifyInclusion(0, 0, h, [], h))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => verifyInclusion(5, 5, h, [], h))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => verifyConsistency(0, 0, [], h, h))).toBe('EMPTY_TREE');
    expect(codeOf(() => verifyConsistency(0, 5, [], h, h))).toBe('EMPTY_TREE');
    expect(codeOf(() => verifyConsistency(3, 2, [h], h, h))).toBe('SIZES_OUT_OF_ORDER');
  });
});

describe('generators reject bad requests', () => {
  it('proof plans', async () => {
    expect(codeOf(() => full.inclusionProof(MAX))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => full.inclusionProof(0, MAX + 1))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => full.consistencyProof(0, 4))).toBe('EMPTY_TREE');
    expect(codeOf(() => full.consistencyProof(5, 4))).toBe('SIZES_OUT_OF_ORDER');
    expect(codeOf(() => full.perfectNode(1, MAX >> 1))).toBe('MISSING_NODE');
    await expect(inclusionProof(store, 0, MAX + 1)).rejects.toMatchObject({ code: 'MISSING_NODE' });
    await expect(treeRoot(store, 2 * MAX)).rejects.toMatchObject({ code: 'MISSING_NODE' });
    await expect(consistencyProof(store, 2, 1)).rejects.toMatchObject({ code: 'SIZES_OUT_OF_ORDER' });
  });
  it('a store returning garbage is caught', async () => {
    const liar: NodeHashReader = { readNodeHashes: async (ids) => ids.map(() => new Uint8Array(5)) };
    await expect(inclusionProof(liar, 0, 4)).rejects.toMatchObject({ code: 'BAD_HASH_LENGTH' });
    const short: NodeHashReader = { readNodeHashes: async () => [] };
    await expect(treeRoot(short, 3)).rejects.toMatchObject({ code: 'MISSING_NODE' });
  });
});

describe('MerkleTreeBuilder and CompactRange', () => {
  it('builder rejects bad leaf hashes and use after build', () => {
    const b = new MerkleTreeBuilder(1);
    expect(codeOf(() => b.appendLeafHash(new Uint8Array(31)))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => b.appendLeaf('text' as unknown as Uint8Array))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => b.appendLeaf([1, 2] as unknown as Uint8Array))).toBe('BAD_ARGUMENT');
    expect(b.size).toBe(0);
    expect(codeOf(() => leafHash('text' as unknown as Uint8Array))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => nodeHash(new Uint8Array(32), null as unknown as Uint8Array))).toBe('BAD_ARGUMENT');
    // Leaf inputs of any length hash as SHA-256(0x00 || data), the long ones through another path.
    for (const n of [0, 1, 128, 129, 4096, 4097, 100_000]) {
      const data = new Uint8Array(n).fill(n & 0xff);
      const want = createHash('sha256')
        .update(Buffer.from([0]))
        .update(data)
        .digest('hex');
      expect(toHex(leafHash(data))).toBe(want);
      const right = new Uint8Array(n).fill(1);
      const node = createHash('sha256')
        .update(Buffer.from([1]))
        .update(data)
        .update(right)
        .digest('hex');
      expect(toHex(nodeHash(data, right))).toBe(node);
    }
    for (let i = 0; i < 3000; i++) expect(b.appendLeaf(leafData(i))).toBe(i); // grows past its capacity
    const tree = b.build();
    expect(toHex(tree.root())).toBe(
      toHex(MerkleTree.fromLeaves(Array.from({ length: 3000 }, (_, i) => leafData(i))).root()),
    );
    expect(codeOf(() => b.appendLeaf(leafData(0)))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => b.build())).toBe('BAD_ARGUMENT');
    expect(MAX_TREE_LEAVES).toBeGreaterThanOrEqual(2 ** 26);
  });
  it('hashes handed out never alias the tree', () => {
    const tree = MerkleTree.fromLeaves([leafData(0), leafData(1), leafData(2)]);
    const before = toHex(tree.root());
    tree.root().fill(0);
    tree.leafHash(0).fill(0);
    tree.perfectNode(1, 0).fill(0);
    for (const p of tree.inclusionProof(2)) p.fill(0);
    for (const p of tree.inclusionProof(0)) p.fill(0);
    expect(toHex(tree.root())).toBe(before);
    expect(toHex(tree.inclusionProof(2)[0]!)).toBe(
      toHex(nodeHash(leafHash(leafData(0)), leafHash(leafData(1)))),
    );
  });
  it('append reports exactly the new perfect nodes', () => {
    const r = CompactRange.empty();
    for (let i = 0; i < 300; i++) {
      const created = r.append(full.leafHash(i));
      expect(created[0]).toMatchObject({ level: 0, index: i });
      // Leaf i completes one node per trailing one bit of i.
      let ones = 0;
      for (let k = i; k % 2 === 1; k = Math.floor(k / 2)) ones++;
      expect(created).toHaveLength(1 + ones);
      for (const node of created)
        expect(toHex(node.hash)).toBe(toHex(full.perfectNode(node.level, node.index)));
      expect(r.hashes).toHaveLength(popcount(i + 1));
    }
    const copy = r.clone();
    copy.append(full.leafHash(300));
    expect(r.size).toBe(300);
    expect(toHex(CompactRange.fromHashes(300, r.hashes).root())).toBe(toHex(full.rootAt(300)));
    expect(toHex(copy.root())).toBe(toHex(full.rootAt(301)));
  });
  it('fromHashes checks its input', () => {
    const h = leafHash(new Uint8Array(0));
    expect(codeOf(() => CompactRange.fromHashes(3, [h]))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => CompactRange.fromHashes(3, [h, new Uint8Array(3)]))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => CompactRange.fromHashes(-1, []))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => CompactRange.empty().append(new Uint8Array(0)))).toBe('BAD_HASH_LENGTH');
  });
});

function popcount(n: number): number {
  let c = 0;
  for (; n > 0; n = Math.floor(n / 2)) c += n % 2;
  return c;
}

describe('submitted subtrees are leaves that commit to their level', () => {
  it('a client chains its own proof into the round proof', () => {
    const docs = Array.from({ length: 5 }, (_, i) => leafData(100 + i));
    const clientTree = MerkleTree.fromLeaves(docs);
    const level = clientTree.height;
    const round = new MerkleTreeBuilder();
    round.appendLeaf(aggregationLeafData(leafHash(leafData(1))));
    const at = round.appendLeaf(aggregationLeafData(clientTree.root(), level));
    round.appendLeaf(aggregationLeafData(leafHash(leafData(2))));
    const tree = round.build();
    // Step 1: document → client root; step 2: (root, level) leaf → round root.
    const clientRoot = rootFromInclusionProof(3, 5, leafHash(docs[3]!), clientTree.inclusionProof(3));
    const leaf = aggregationLeafHash(clientRoot, level);
    expect(() => verifyInclusion(at, tree.size, leaf, tree.inclusionProof(at), tree.root())).not.toThrow();
    // The level is bound: the same root claimed at another level is a different leaf.
    expect(
      codeOf(() =>
        verifyInclusion(
          at,
          tree.size,
          aggregationLeafHash(clientRoot, level + 1),
          tree.inclusionProof(at),
          tree.root(),
        ),
      ),
    ).toBe('ROOT_MISMATCH');
    expect(toHex(aggregationLeafData(new Uint8Array([0xaa, 0xbb]), 7))).toBe('07aabb');
  });
  it('rejects levels and hashes out of range', () => {
    const h = leafHash(new Uint8Array(0));
    for (const bad of [-1, 256, 1.5, Number.NaN])
      expect(codeOf(() => aggregationLeafData(h, bad))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => aggregationLeafData(new Uint8Array(0)))).toBe('BAD_HASH_LENGTH');
    expect(codeOf(() => aggregationLeafData(new Uint8Array(129)))).toBe('BAD_HASH_LENGTH');
  });
});
