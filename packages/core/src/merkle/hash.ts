/**
 * RFC 9162 §2.1.1 hashing with SHA-256:
 *
 *   leaf hash  = SHA-256(0x00 || data)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * Speed matters here (round trees of 300k leaves a second per core), and for 33- and 65-byte
 * inputs the cost is in the JavaScript around the digest, not in SHA-256 itself:
 * - `crypto.hash` is the one-shot digest, ~1.5× faster than createHash().update().digest();
 * - its 'binary' (latin1) string output is ~3× faster than its Buffer output, since a short string is a
 *   cheap heap object while every Buffer drags an ArrayBuffer along (measured on Node 20), so
 *   digests are read out of that string byte by byte into their destination;
 * - inputs are assembled in one reused scratch buffer through views made once.
 */
import { hash } from 'node:crypto';
import { MerkleError } from './errors.js';

/** SHA-256 output size: every leaf, node and root hash is this long. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** Inputs up to this size go through the scratch buffer; larger ones are copied once. */
const SCRATCH_SIZE = 1 + 4096;
const scratch = Buffer.alloc(SCRATCH_SIZE);
const nodeInput = scratch.subarray(0, 1 + 2 * HASH_SIZE);
const leafInputs: Buffer[] = [];
const CACHED_LEAF_VIEWS = 128;

/** SHA-256(input) written to to[at .. at+32). */
function digestInto(input: Uint8Array, to: Uint8Array, at: number): void {
  const digest = hash('sha256', input, 'binary');
  for (let k = 0; k < HASH_SIZE; k++) to[at + k] = digest.charCodeAt(k);
}

function digest(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(HASH_SIZE);
  digestInto(input, out, 0);
  return out;
}

/** Scratch view holding 0x00 || data, or a fresh buffer for long data. */
function leafInput(data: Uint8Array): Uint8Array {
  checkBytes(data);
  const n = data.byteLength;
  let input: Buffer;
  if (n <= CACHED_LEAF_VIEWS) input = leafInputs[n] ??= scratch.subarray(0, 1 + n);
  else if (n < SCRATCH_SIZE) input = scratch.subarray(0, 1 + n);
  else input = Buffer.allocUnsafe(1 + n);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return input;
}

const EMPTY_ROOT = digest(new Uint8Array(0));

/** MTH({}) = SHA-256 of the empty string (a fresh copy). */
export function emptyRootHash(): Uint8Array {
  return copyHash(EMPTY_ROOT);
}

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Uint8Array): Uint8Array {
  return digest(leafInput(data));
}

/** Leaf hash of `data` written to to[at .. at+32). */
export function leafHashInto(data: Uint8Array, to: Uint8Array, at: number): void {
  digestInto(leafInput(data), to, at);
}

/**
 * SHA-256(0x01 || left || right). The children are normally 32-byte hashes, but like RFC 9162's
 * HASH() this is defined on any byte strings (the RFC 6962 hasher test vectors use short ones).
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  checkBytes(left);
  checkBytes(right);
  if (left.byteLength === HASH_SIZE && right.byteLength === HASH_SIZE) {
    nodeInput[0] = NODE_PREFIX;
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return digest(nodeInput);
  }
  const total = 1 + left.byteLength + right.byteLength;
  const input = total <= SCRATCH_SIZE ? scratch.subarray(0, total) : Buffer.allocUnsafe(total);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.byteLength);
  return digest(input);
}

/**
 * Node hash of the two adjacent hashes at from[offset .. offset+64), written to to[at .. at+32).
 * For tree builders that keep a level as one flat buffer; no length checks (callers own the layout).
 */
export function nodeHashInto(from: Uint8Array, offset: number, to: Uint8Array, at: number): void {
  // A plain loop: for 64 bytes it beats set(subarray(...)), which allocates a view.
  nodeInput[0] = NODE_PREFIX;
  for (let k = 0; k < 2 * HASH_SIZE; k++) nodeInput[1 + k] = from[offset + k]!;
  digestInto(nodeInput, to, at);
}

/**
 * A copy of a hash as a plain Uint8Array. (Not `.slice()`: on a Buffer that is a view, and a
 * caller's Buffer must never alias a tree's storage.)
 */
export function copyHash(h: Uint8Array, offset = 0): Uint8Array {
  const out = new Uint8Array(HASH_SIZE);
  for (let k = 0; k < HASH_SIZE; k++) out[k] = h[offset + k]!;
  return out;
}

function checkBytes(data: unknown): void {
  if (!(data instanceof Uint8Array)) throw new MerkleError('BAD_ARGUMENT', 'hash input must be a Uint8Array');
}

/** Throws BAD_HASH_LENGTH unless `h` is a 32-byte Uint8Array. */
export function checkHash(what: string, h: unknown): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array) || h.byteLength !== HASH_SIZE) {
    throw new MerkleError('BAD_HASH_LENGTH', `${what} must be a ${HASH_SIZE}-byte hash`);
  }
}
