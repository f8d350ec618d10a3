export { MerkleError, type MerkleErrorCode } from './errors.js';
export { HASH_SIZE, leafHash, nodeHash, emptyRootHash } from './hash.js';
export type { NodeId, StoredNode, NodeHashReader, NodeHashStore } from './node.js';
export { inclusionProofPlan, consistencyProofPlan, rootPlan, assembleProof, type ProofPlan } from './plan.js';
export { MerkleTree, MerkleTreeBuilder, merkleRoot, MAX_TREE_LEAVES } from './tree.js';
export { CompactRange } from './compact-range.js';
export { MemoryNodeStore, inclusionProof, consistencyProof, treeRoot } from './store.js';
export { verifyInclusion, verifyConsistency, rootFromInclusionProof, MAX_PROOF_LENGTH } from './verify.js';
export {
  aggregationLeafData,
  aggregationLeafHash,
  MAX_AGGREGATION_LEVEL,
  MAX_SUBMITTED_HASH,
} from './aggregation.js';
export {
  TILE_HEIGHT,
  TILE_WIDTH,
  MAX_TILE_LEVEL,
  MAX_BUNDLE_ENTRY,
  encodeTileIndex,
  tilePath,
  entryBundlePath,
  parseTilePath,
  tileWidth,
  nodeTile,
  tilesForSize,
  readTile,
  parseTile,
  TileHashReader,
  encodeEntryBundle,
  parseEntryBundle,
  type TileId,
  type TilePath,
  type TileFetcher,
} from './tiles.js';
