import { describe, expect, it } from 'vitest';
import { HASH_SIZE, MerkleError, MerkleTree, verifyInclusion } from '../src/index.js';

describe('MerkleTree.writeInclusionProof', () => {
  it('writes exactly inclusionProof(index) for every leaf of every size up to 70', () => {
    for (let size = 1; size <= 70; size++) {
      const tree = MerkleTree.fromLeaves(Array.from({ length: size }, (_, i) => Uint8Array.of(i, size)));
      const out = new Uint8Array(5 + HASH_SIZE * tree.height);
      for (let i = 0; i < size; i++) {
        const expected = tree.inclusionProof(i);
        const n = tree.writeInclusionProof(i, out, 5);
        expect(n).toBe(expected.length);
        const written = Array.from({ length: n }, (_, k) =>
          out.slice(5 + k * HASH_SIZE, 5 + (k + 1) * HASH_SIZE),
        );
        expect(written).toEqual(expected);
        verifyInclusion(i, size, tree.leafHash(i), written, tree.root());
      }
    }
  });

  it('refuses a buffer that is too small and a leaf outside the tree', () => {
    const tree = MerkleTree.fromLeaves(Array.from({ length: 9 }, (_, i) => Uint8Array.of(i)));
    expect(() => tree.writeInclusionProof(0, new Uint8Array(HASH_SIZE * 2), 0)).toThrow(MerkleError);
    expect(() => tree.writeInclusionProof(9, new Uint8Array(1024), 0)).toThrow(MerkleError);
    expect(() => tree.writeInclusionProof(0, new Uint8Array(1024), -1)).toThrow(MerkleError);
  });
});
