import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  MemoryNodeStore,
  TileHashReader,
  consistencyProof,
  encodeEntryBundle,
  encodeTileIndex,
  entryBundlePath,
  inclusionProof,
  leafHash,
  nodeTile,
  parseEntryBundle,
  parseTile,
  parseTilePath,
  readTile,
  tilePath,
  tileWidth,
  tilesForSize,
  toHex,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type TileId,
} from '../src/index.js';
import { codeOf } from './helpers.js';

describe('tile paths (c2sp.org/tlog-tiles)', () => {
  it('encodes N in x-prefixed 3-digit groups, as the spec example', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(Number.MAX_SAFE_INTEGER)).toBe('x009/x007/x199/x254/x740/991');
  });
  it('builds tile and entry-bundle paths', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 1, index: 5, width: 17 })).toBe('tile/1/005.p/17');
    expect(tilePath({ level: 63, index: 0, width: 1 })).toBe('tile/63/000.p/1');
    expect(entryBundlePath(1234067)).toBe('tile/entries/x001/x234/067');
    expect(entryBundlePath(273, 112)).toBe('tile/entries/273.p/112');
    for (const bad of [
      { level: 64, index: 0, width: 256 },
      { level: 0, index: -1, width: 256 },
      { level: 0, index: 0, width: 0 },
      { level: 0, index: 0, width: 257 },
      { level: 0.5, index: 0, width: 1 },
    ]) {
      expect(codeOf(() => tilePath(bad))).toBe('BAD_ARGUMENT');
    }
  });
  it('parses what it builds', () => {
    for (const tile of [
      { level: 0, index: 1234067, width: 256 },
      { level: 2, index: 0, width: 1 },
      { level: 10, index: 1000, width: 255 },
    ]) {
      expect(parseTilePath(tilePath(tile))).toEqual({ kind: 'tile', ...tile });
    }
    expect(parseTilePath('tile/entries/x001/x234/067.p/8')).toEqual({
      kind: 'entries',
      index: 1234067,
      width: 8,
    });
  });
  it('rejects every non-canonical or malformed path', () => {
    for (const bad of [
      'tile/0/1234067',
      'tile/0/x001/x234/67',
      'tile/0/x000/001',
      'tile/0/001/002',
      'tile/00/000',
      'tile/64/000',
      'tile/-1/000',
      'tile/0/000.p/0',
      'tile/0/000.p/08',
      'tile/0/000.p/256',
      'tile/0/000.p/',
      'tile/0/000/',
      '/tile/0/000',
      'tile/0/x1/000',
      'tile/0/X001/000',
      'tile/entries/000.p/1000',
      'tile/0/x999/x999/x999/x999/x999/x999/000',
      'tile/0/000\n',
      '',
    ]) {
      expect(
        codeOf(() => parseTilePath(bad)),
        bad,
      ).toBe('BAD_TILE_PATH');
    }
  });
});

describe('which tiles a tree has', () => {
  it('size 70,000: the spec example', () => {
    const tiles = tilesForSize(70_000);
    const full0 = tiles.filter((t) => t.level === 0 && t.width === 256);
    expect(full0).toHaveLength(273);
    expect(tiles.filter((t) => t.level === 0 && t.width < 256)).toEqual([
      { level: 0, index: 273, width: 112 },
    ]);
    expect(tiles.filter((t) => t.level === 1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(tiles.filter((t) => t.level === 2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles).toHaveLength(273 + 1 + 2 + 1);
  });
  it('size 256: a full level-0 tile and a level-1 tile of width 1', () => {
    expect(tilesForSize(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForSize(0)).toEqual([]);
  });
  it('growing from a size lists exactly the new or changed tiles', () => {
    const key = (t: TileId): string => `${t.level}/${t.index}/${t.width}`;
    const sizes = [0, 1, 255, 256, 257, 600, 65_535, 65_536, 65_537, 70_000];
    for (let s = 1; s < sizes.length; s++) {
      const before = new Set(tilesForSize(sizes[s - 1]!).map(key));
      const after = tilesForSize(sizes[s]!).map(key);
      expect(tilesForSize(sizes[s]!, sizes[s - 1]).map(key)).toEqual(after.filter((k) => !before.has(k)));
    }
    expect(codeOf(() => tilesForSize(5, 6))).toBe('SIZES_OUT_OF_ORDER');
  });
  it('tile width and the tile of a node', () => {
    expect(tileWidth(0, 273, 70_000)).toBe(112);
    expect(tileWidth(0, 274, 70_000)).toBe(0);
    expect(tileWidth(1, 1, 70_000)).toBe(17);
    // Node (3, 40) spans leaves 320..327: level-0 tile 1, entries 64..71.
    expect(nodeTile({ level: 3, index: 40 }, 70_000)).toEqual({ level: 0, index: 1, width: 256 });
    expect(nodeTile({ level: 3, index: 40 }, 330)).toEqual({ level: 0, index: 1, width: 74 });
    expect(nodeTile({ level: 8, index: 3 }, 70_000)).toEqual({ level: 1, index: 0, width: 256 });
    expect(nodeTile({ level: 16, index: 0 }, 70_000)).toEqual({ level: 2, index: 0, width: 1 });
    expect(codeOf(() => nodeTile({ level: 3, index: 40 }, 327))).toBe('INDEX_OUT_OF_RANGE');
  });
});

describe('proofs and roots from tiles alone', () => {
  const N = 70_000;
  const store = new MemoryNodeStore();
  const range = CompactRange.empty();
  const entries: Uint8Array[] = [];
  for (let i = 0; i < N; i++) {
    const entry = new TextEncoder().encode(`entry ${i}`);
    entries.push(entry);
    for (const node of range.append(leafHash(entry))) store.put(node);
  }
  const served: string[] = [];
  const fetchTile = async (tile: TileId): Promise<Uint8Array> => {
    // A server only has tiles for the sizes it published; this one publishes N.
    if (tile.width !== tileWidth(tile.level, tile.index, N) && tile.width !== 256)
      throw new Error('no such tile');
    served.push(tilePath(tile));
    return readTile(store, tile);
  };

  it('roots for many sizes equal the store roots', async () => {
    for (const size of [1, 2, 255, 256, 257, 511, 65_535, 65_536, 65_537, N]) {
      const reader = new TileHashReader(size, (t) => readTile(store, t));
      expect(toHex(await treeRoot(reader, size)), `size ${size}`).toBe(toHex(await treeRoot(store, size)));
    }
  });

  it('inclusion and consistency proofs from tiles verify against the root', async () => {
    const reader = new TileHashReader(N, fetchTile);
    const root = await treeRoot(reader, N);
    for (const i of [0, 1, 255, 256, 65_535, 65_536, 69_999]) {
      const proof = await inclusionProof(reader, i, N);
      expect(proof.map(toHex)).toEqual((await inclusionProof(store, i, N)).map(toHex));
      expect(() => verifyInclusion(i, N, leafHash(entries[i]!), proof, root)).not.toThrow();
    }
    for (const m of [1, 256, 4097, 65_536, 69_999]) {
      const proof = await consistencyProof(reader, m, N);
      const old = await treeRoot(store, m);
      expect(() => verifyConsistency(m, N, proof, old, root)).not.toThrow();
    }
    // Each tile was fetched once.
    expect(new Set(served).size).toBe(served.length);
  });
  it('a tile of the wrong size is rejected; a failed fetch is retried', async () => {
    let calls = 0;
    const reader = new TileHashReader(N, async (tile) => {
      calls++;
      if (calls === 1) throw new Error('network down');
      return calls === 2 ? new Uint8Array(31) : readTile(store, tile);
    });
    await expect(treeRoot(reader, 1)).rejects.toThrow('network down');
    await expect(treeRoot(reader, 1)).rejects.toMatchObject({ code: 'BAD_TILE' });
    expect(codeOf(() => parseTile({ level: 0, index: 0, width: 2 }, new Uint8Array(65)))).toBe('BAD_TILE');
    expect(parseTile({ level: 0, index: 0, width: 2 }, new Uint8Array(64))).toHaveLength(2);
  });

  it('entry bundles hold the entries whose leaf hashes are the level-0 tile', async () => {
    const tile = { level: 0, index: 273, width: 112 };
    const bundle = encodeEntryBundle(entries.slice(273 * 256));
    const parsed = parseEntryBundle(bundle, 112);
    const hashes = parseTile(tile, await readTile(store, tile));
    expect(parsed.map((e) => toHex(leafHash(e)))).toEqual(hashes.map(toHex));
    expect(parseEntryBundle(encodeEntryBundle([new Uint8Array(0), new Uint8Array(65_535)]))).toHaveLength(2);
  });

  it('rejects malformed entry bundles', () => {
    const good = encodeEntryBundle([new Uint8Array([1, 2, 3]), new Uint8Array([4])]);
    expect(codeOf(() => parseEntryBundle(good.subarray(0, 1)))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => parseEntryBundle(good.subarray(0, 4)))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => parseEntryBundle(good.subarray(0, good.length - 1)))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => parseEntryBundle(new Uint8Array(0)))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => parseEntryBundle(good, 3))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => parseEntryBundle(new Uint8Array(2 * 257)))).toBe('BAD_ENTRY_BUNDLE');
    expect(codeOf(() => encodeEntryBundle([new Uint8Array(65_536)]))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => encodeEntryBundle([]))).toBe('BAD_ARGUMENT');
  });
});
