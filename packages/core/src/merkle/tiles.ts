/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the tree served as static tiles.
 *
 * Tile (L, N) is the run of up to 256 consecutive Merkle tree hashes at tree level 8L, starting at
 * hash index 256N; i.e. tile level L holds the perfect nodes (8L, i). The seven tree levels in
 * between are recomputed by hashing within a tile. A tile is *full* with 256 hashes; the rightmost
 * tile of each level is *partial* (1..255 hashes) and is addressed with its width.
 *
 * Tile contents are not authenticated by themselves: a root or proof computed from tiles is only
 * as good as its check against a signed checkpoint (verifyInclusion / verifyConsistency against the
 * checkpoint's root), which a forged tile cannot pass.
 */
import { MerkleError } from './errors.js';
import { HASH_SIZE, copyHash, nodeHash } from './hash.js';
import { checkCount, pow2, shiftRight } from './math.js';
import { checkNodeId, type NodeHashReader, type NodeId } from './node.js';

/** Tree levels per tile level. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT). */
export const TILE_WIDTH = 256;
/** Tile levels are 0..63 per the spec. */
export const MAX_TILE_LEVEL = 63;

export interface TileId {
  /** Tile level L: hashes at tree level 8L. */
  readonly level: number;
  /** Tile index N at that level. */
  readonly index: number;
  /** Number of hashes, 1..256 (256 = full tile). */
  readonly width: number;
}

export type TilePath =
  | ({ readonly kind: 'tile' } & TileId)
  | { readonly kind: 'entries'; readonly index: number; readonly width: number };

function checkTile(tile: TileId): void {
  checkCount('tile level', tile.level);
  checkCount('tile index', tile.index);
  if (tile.level > MAX_TILE_LEVEL) throw new MerkleError('BAD_ARGUMENT', `tile level ${tile.level} > 63`);
  checkWidth(tile.width);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new MerkleError('BAD_ARGUMENT', `tile width must be 1..${TILE_WIDTH}, got ${String(width)}`);
  }
}

/** N as zero-padded 3-digit path elements, all but the last prefixed "x": 1234067 → x001/x234/067. */
export function encodeTileIndex(index: number): string {
  checkCount('tile index', index);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

const suffix = (width: number): string => (width === TILE_WIDTH ? '' : `.p/${width}`);

/** tile/<L>/<N>[.p/<W>] (relative to the log's prefix). */
export function tilePath(tile: TileId): string {
  checkTile(tile);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${suffix(tile.width)}`;
}

/** tile/entries/<N>[.p/<W>]: the entry bundle for level-0 tile N. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  checkWidth(width);
  return `tile/entries/${encodeTileIndex(index)}${suffix(width)}`;
}

const TILE_PATH = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/**
 * Parses a tile or entry-bundle path (relative to the prefix), strictly: canonical index encoding
 * (no x000 leading groups), level 0..63 and width 1..255 without leading zeros. Anything else is
 * BAD_TILE_PATH, so a server can map request paths with this alone.
 */
export function parseTilePath(path: string): TilePath {
  const m = TILE_PATH.exec(path);
  if (m === null) throw new MerkleError('BAD_TILE_PATH', 'not a tlog-tiles path');
  const [, levelText, prefixGroups, last, widthText] = m;
  const groups = [
    ...prefixGroups!
      .split('/')
      .filter((g) => g !== '')
      .map((g) => g.slice(1)),
    last!,
  ];
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g);
  if (!Number.isSafeInteger(index)) throw new MerkleError('BAD_TILE_PATH', 'tile index too large');
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && width >= TILE_WIDTH) {
    throw new MerkleError('BAD_TILE_PATH', 'partial tile width must be 1..255');
  }
  if (encodeTileIndex(index) !== `${prefixGroups!}${last!}`) {
    throw new MerkleError('BAD_TILE_PATH', 'tile index is not canonically encoded');
  }
  if (levelText === 'entries') return { kind: 'entries', index, width };
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) throw new MerkleError('BAD_TILE_PATH', 'tile level must be 0..63');
  return { kind: 'tile', level, index, width };
}

/** Number of hashes at tree level 8L in a tree of `size`: floor(size / 256^L). */
function hashesAtTileLevel(level: number, size: number): number {
  return level * TILE_HEIGHT > 52 ? 0 : shiftRight(size, level * TILE_HEIGHT);
}

/** Width of tile (level, index) in the tree of `size`: 256, 1..255 for the partial one, 0 if none. */
export function tileWidth(level: number, index: number, size: number): number {
  checkCount('tree size', size);
  const available = hashesAtTileLevel(level, size) - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, available));
}

/**
 * The tile that holds, or lets one compute, perfect node `id` in the tree of `size` (with the
 * width that tree has). Throws INDEX_OUT_OF_RANGE if the node is not complete at that size.
 */
export function nodeTile(id: NodeId, size: number): TileId {
  checkNodeId(id);
  checkCount('tree size', size);
  const level = Math.floor(id.level / TILE_HEIGHT);
  const sub = id.level - level * TILE_HEIGHT;
  if ((id.index + 1) * pow2(id.level) > size) {
    throw new MerkleError(
      'INDEX_OUT_OF_RANGE',
      `node (${id.level}, ${id.index}) is not complete at size ${size}`,
    );
  }
  const index = Math.floor((id.index * pow2(sub)) / TILE_WIDTH);
  return { level, index, width: tileWidth(level, index, size) };
}

/**
 * The tiles a tree of `size` is served as, from the full tiles through the partial tile of each
 * level. For `fromSize` > 0, only those that are new or changed since the tree of `fromSize`:
 * what a log must publish after growing from fromSize to size.
 */
export function tilesForSize(size: number, fromSize = 0): TileId[] {
  checkCount('tree size', size);
  checkCount('previous tree size', fromSize);
  if (fromSize > size) throw new MerkleError('SIZES_OUT_OF_ORDER', `tree size ${fromSize} > ${size}`);
  const tiles: TileId[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const count = hashesAtTileLevel(level, size);
    if (count === 0) break;
    const before = hashesAtTileLevel(level, fromSize);
    if (before === count) continue;
    for (let index = Math.floor(before / TILE_WIDTH); index * TILE_WIDTH < count; index++) {
      tiles.push({ level, index, width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH) });
    }
  }
  return tiles;
}

/** The bytes of `tile`: its hashes (nodes (8L, 256N + i), i < width) read from a store. */
export async function readTile(reader: NodeHashReader, tile: TileId): Promise<Uint8Array> {
  checkTile(tile);
  const ids: NodeId[] = [];
  for (let i = 0; i < tile.width; i++)
    ids.push({ level: tile.level * TILE_HEIGHT, index: tile.index * TILE_WIDTH + i });
  const hashes = await reader.readNodeHashes(ids);
  if (hashes.length !== ids.length) throw new MerkleError('MISSING_NODE', 'store returned too few hashes');
  const out = new Uint8Array(tile.width * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (h.byteLength !== HASH_SIZE) throw new MerkleError('BAD_HASH_LENGTH', 'store returned a bad hash');
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** Splits a tile body into its hashes, checking it has exactly `width` of them. */
export function parseTile(tile: TileId, body: Uint8Array): Uint8Array[] {
  checkTile(tile);
  if (!(body instanceof Uint8Array) || body.byteLength !== tile.width * HASH_SIZE) {
    throw new MerkleError('BAD_TILE', `tile ${tilePath(tile)} must be ${tile.width * HASH_SIZE} bytes`);
  }
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < tile.width; i++) hashes.push(copyHash(body, i * HASH_SIZE));
  return hashes;
}

/** Fetches a tile body (e.g. GET <prefix>/<tilePath(tile)>). */
export type TileFetcher = (tile: TileId) => Promise<Uint8Array>;

/**
 * Node hashes for proofs and roots, read from the tiles of a tree of `size` (a client or witness
 * that has only the tiles). Fetches each tile once (with the width that size implies) and derives
 * the in-between levels by hashing. Use with inclusionProof / consistencyProof / treeRoot.
 */
export class TileHashReader implements NodeHashReader {
  private readonly tiles = new Map<string, Promise<Uint8Array[]>>();

  constructor(
    readonly size: number,
    private readonly fetchTile: TileFetcher,
  ) {
    checkCount('tree size', size);
  }

  async readNodeHashes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return Promise.all(ids.map((id) => this.readNode(id)));
  }

  private async readNode(id: NodeId): Promise<Uint8Array> {
    const tile = nodeTile(id, this.size);
    const hashes = await this.tile(tile);
    const sub = id.level - tile.level * TILE_HEIGHT;
    const first = id.index * pow2(sub) - tile.index * TILE_WIDTH;
    let row = hashes.slice(first, first + pow2(sub));
    if (row.length === 1) return copyHash(row[0]!);
    while (row.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
      row = next;
    }
    return row[0]!;
  }

  private tile(tile: TileId): Promise<Uint8Array[]> {
    const key = `${tile.level}/${tile.index}/${tile.width}`;
    let hashes = this.tiles.get(key);
    if (hashes === undefined) {
      hashes = this.fetchTile(tile).then((body) => parseTile(tile, body));
      this.tiles.set(key, hashes);
      // A failed fetch is not remembered: the next read tries again.
      hashes.catch(() => this.tiles.delete(key));
    }
    return hashes;
  }
}

/** Largest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_BUNDLE_ENTRY = 0xffff;

/** An entry bundle: each entry as a big-endian uint16 length and the entry bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length === 0 || entries.length > TILE_WIDTH) {
    throw new MerkleError('BAD_ARGUMENT', `an entry bundle holds 1..${TILE_WIDTH} entries`);
  }
  let total = 0;
  for (const e of entries) {
    if (e.byteLength > MAX_BUNDLE_ENTRY)
      throw new MerkleError('BAD_ARGUMENT', 'entry longer than 65535 bytes');
    total += 2 + e.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.byteLength >>> 8;
    out[at + 1] = e.byteLength & 0xff;
    out.set(e, at + 2);
    at += 2 + e.byteLength;
  }
  return out;
}

/** Splits an entry bundle; `width` (when known from the path) must match the entry count. */
export function parseEntryBundle(body: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < body.byteLength) {
    if (entries.length === TILE_WIDTH) throw new MerkleError('BAD_ENTRY_BUNDLE', 'more than 256 entries');
    if (at + 2 > body.byteLength) throw new MerkleError('BAD_ENTRY_BUNDLE', 'truncated entry length');
    const length = (body[at]! << 8) | body[at + 1]!;
    if (at + 2 + length > body.byteLength) throw new MerkleError('BAD_ENTRY_BUNDLE', 'truncated entry');
    entries.push(new Uint8Array(body.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  if (entries.length === 0) throw new MerkleError('BAD_ENTRY_BUNDLE', 'empty entry bundle');
  if (width !== undefined && entries.length !== width) {
    throw new MerkleError('BAD_ENTRY_BUNDLE', `bundle has ${entries.length} entries, path says ${width}`);
  }
  return entries;
}
