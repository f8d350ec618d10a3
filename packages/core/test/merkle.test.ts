import { describe, expect, it } from 'vitest';
import { readTestJson } from '@riik/testing';
import {
  CompactRange,
  MemoryNodeStore,
  MerkleTree,
  consistencyProof,
  emptyRootHash,
  fromBase64,
  fromHex,
  inclusionProof,
  leafHash,
  merkleRoot,
  nodeHash,
  toHex,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../src/index.js';
import { codeOf } from './helpers.js';

interface Tree8 {
  leafInputsHex: string[];
  leafHashesHex: string[];
  nodeHashesHex: Record<string, string[]>;
  rootHashesHexBySize: string[];
  rootHashesBase64BySize: string[];
  inclusionProofsHex: Record<string, string[]>;
  consistencyProofsHex: Record<string, string[]>;
  hasherVectors: Array<{ desc: string; input: string; wantHex: string }>;
}

const tree8 = readTestJson<Tree8>('merkle', 'tree8.json');
const hex = (list: readonly Uint8Array[]): string[] => list.map(toHex);

describe('RFC 6962 hashing (tree8.json hasherVectors)', () => {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  it('has the four upstream vectors', () => expect(tree8.hasherVectors).toHaveLength(4));
  for (const v of tree8.hasherVectors) {
    it(v.desc, () => {
      let got: Uint8Array;
      const leaf = /^HashLeaf\('(.*)'\)$/.exec(v.input);
      const children = /^HashChildren\('(.*)','(.*)'\)$/.exec(v.input);
      if (v.input === 'HashEmpty()') got = emptyRootHash();
      else if (leaf) got = leafHash(ascii(leaf[1]!));
      else if (children) got = nodeHash(ascii(children[1]!), ascii(children[2]!));
      else throw new Error(`unknown hasher input ${v.input}`);
      expect(toHex(got)).toBe(v.wantHex);
    });
  }
});

describe('the 8-leaf tree (tree8.json)', () => {
  const leaves = tree8.leafInputsHex.map(fromHex);
  const full = MerkleTree.fromLeaves(leaves);
  const store = new MemoryNodeStore();
  const range = CompactRange.empty();
  const rangeRoots = [toHex(range.root())];
  for (const data of leaves) {
    for (const node of range.append(leafHash(data))) store.put(node);
    rangeRoots.push(toHex(range.root()));
  }

  it('leaf hashes', () => {
    expect(leaves.map((d) => toHex(leafHash(d)))).toEqual(tree8.leafHashesHex);
    expect(tree8.leafHashesHex.map((_, i) => toHex(full.leafHash(i)))).toEqual(tree8.leafHashesHex);
  });

  it('every node hash, from the tree and from the store the compact range filled', () => {
    for (const [name, hashes] of Object.entries(tree8.nodeHashesHex)) {
      const level = Number(/^level(\d+)$/.exec(name)![1]);
      hashes.forEach((want, index) => {
        expect(toHex(full.perfectNode(level, index))).toBe(want);
        expect(toHex(store.get(level, index))).toBe(want);
      });
    }
  });

  it('root for every size 0..8, five ways', async () => {
    expect(tree8.rootHashesHexBySize).toHaveLength(9);
    for (let n = 0; n <= 8; n++) {
      const want = tree8.rootHashesHexBySize[n];
      expect(toHex(fromBase64(tree8.rootHashesBase64BySize[n]!))).toBe(want);
      expect(toHex(MerkleTree.fromLeaves(leaves.slice(0, n)).root())).toBe(want);
      expect(toHex(full.rootAt(n))).toBe(want);
      expect(toHex(merkleRoot(leaves.slice(0, n).map(leafHash)))).toBe(want);
      expect(rangeRoots[n]).toBe(want);
      expect(toHex(await treeRoot(store, n))).toBe(want);
    }
  });

  it('has all 36 inclusion and 36 consistency proofs', () => {
    expect(Object.keys(tree8.inclusionProofsHex)).toHaveLength(36);
    expect(Object.keys(tree8.consistencyProofsHex)).toHaveLength(36);
  });

  for (const [name, want] of Object.entries(tree8.inclusionProofsHex)) {
    it(`inclusion ${name}: generated three ways and verified`, async () => {
      const [, i, n] = /^leaf(\d+)_size(\d+)$/.exec(name)!.map(Number) as [number, number, number];
      const sub = MerkleTree.fromLeaves(leaves.slice(0, n));
      expect(hex(sub.inclusionProof(i))).toEqual(want);
      expect(hex(full.inclusionProof(i, n))).toEqual(want);
      expect(hex(await inclusionProof(store, i, n))).toEqual(want);
      const root = fromHex(tree8.rootHashesHexBySize[n]!);
      expect(() => verifyInclusion(i, n, leafHash(leaves[i]!), want.map(fromHex), root)).not.toThrow();
      // The same proof for any other leaf of this tree fails.
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        expect(codeOf(() => verifyInclusion(i, n, leafHash(leaves[j]!), want.map(fromHex), root))).toBe(
          'ROOT_MISMATCH',
        );
      }
    });
  }

  for (const [name, want] of Object.entries(tree8.consistencyProofsHex)) {
    it(`consistency ${name}: generated three ways and verified`, async () => {
      const [, m, n] = /^(\d+)_to_(\d+)$/.exec(name)!.map(Number) as [number, number, number];
      const sub = MerkleTree.fromLeaves(leaves.slice(0, n));
      expect(hex(sub.consistencyProof(m))).toEqual(want);
      expect(hex(full.consistencyProof(m, n))).toEqual(want);
      expect(hex(await consistencyProof(store, m, n))).toEqual(want);
      const root1 = fromHex(tree8.rootHashesHexBySize[m]!);
      const root2 = fromHex(tree8.rootHashesHexBySize[n]!);
      expect(() => verifyConsistency(m, n, want.map(fromHex), root1, root2)).not.toThrow();
      if (m !== n) {
        const wrong = leafHash(new Uint8Array([m, n]));
        expect(codeOf(() => verifyConsistency(m, n, want.map(fromHex), wrong, root2))).toBe('ROOT_MISMATCH');
        expect(codeOf(() => verifyConsistency(m, n, want.map(fromHex), root1, wrong))).toBe('ROOT_MISMATCH');
      }
    });
  }
});

interface InclusionProbe {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyProbe {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

describe('transparency-dev/merkle inclusion probes', () => {
  const probes = readTestJson<InclusionProbe[]>('merkle', 'inclusion-probes.json');
  it('has all 98 probes, 6 valid', () => {
    expect(probes).toHaveLength(98);
    expect(probes.filter((p) => !p.wantErr)).toHaveLength(6);
  });
  for (const p of probes) {
    it(`${p.file}: ${p.desc} → ${p.wantErr ? 'rejected' : 'accepted'}`, () => {
      const code = codeOf(() =>
        verifyInclusion(
          p.leafIdx,
          p.treeSize,
          fromBase64(p.leafHash),
          (p.proof ?? []).map(fromBase64),
          fromBase64(p.root),
        ),
      );
      if (p.wantErr) expect(code).toBeDefined();
      else expect(code).toBeUndefined();
    });
  }
});

describe('transparency-dev/merkle consistency probes', () => {
  const probes = readTestJson<ConsistencyProbe[]>('merkle', 'consistency-probes.json');
  it('has all 98 probes, 6 valid', () => {
    expect(probes).toHaveLength(98);
    expect(probes.filter((p) => !p.wantErr)).toHaveLength(6);
  });
  for (const p of probes) {
    it(`${p.file}: ${p.desc} → ${p.wantErr ? 'rejected' : 'accepted'}`, () => {
      const code = codeOf(() =>
        verifyConsistency(
          p.size1,
          p.size2,
          (p.proof ?? []).map(fromBase64),
          fromBase64(p.root1),
          fromBase64(p.root2),
        ),
      );
      if (p.wantErr) expect(code).toBeDefined();
      else expect(code).toBeUndefined();
    });
  }
});
