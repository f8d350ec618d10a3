import { crc32 } from 'node:zlib';
import { HASH_SIZE, openNote, parseNote, signNote, type NoteSigner, type NoteVerifier } from '@riik/core';
import { KsiError } from './errors.js';

/**
 * A publication: the calendar's size and root at a moment, printed where anyone can see it
 * (KSI prints its publications in a newspaper). A signature extended to a publication
 * verifies from the publication code alone, with no key.
 *
 * Code bytes (53): version 0x01 || uint64_be(time, seconds since the epoch) || uint64_be(size)
 * || root (32) || uint32_be(CRC-32 of the preceding 49 bytes). The code is the RFC 4648 base32
 * of those bytes without padding, in groups of six letters joined by dashes, so that it can be
 * read out and typed: the CRC catches a mistyped letter, the hash chain everything else.
 */
export interface Publication {
  /** Publication time, whole seconds since the epoch. */
  time: number;
  /** Calendar size (number of entries) and root at that time. */
  size: number;
  root: Uint8Array;
}

const VERSION = 0x01;
const CODE_BYTES = 1 + 8 + 8 + HASH_SIZE + 4;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new KsiError('BAD_PUBLICATION_CODE', `"${ch}" is not a base32 letter`);
    value = ((value << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0)
    throw new KsiError('BAD_PUBLICATION_CODE', 'the code has stray trailing bits');
  return new Uint8Array(out);
}

export function encodePublication(p: Publication): string {
  if (!Number.isSafeInteger(p.time) || p.time < 0 || !Number.isSafeInteger(p.size) || p.size < 1)
    throw new KsiError('BAD_ARGUMENT', 'publication time and size must be safe integers, size ≥ 1');
  if (p.root.length !== HASH_SIZE) throw new KsiError('BAD_ARGUMENT', 'a calendar root is 32 bytes');
  const bytes = new Uint8Array(CODE_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = VERSION;
  view.setBigUint64(1, BigInt(p.time));
  view.setBigUint64(9, BigInt(p.size));
  bytes.set(p.root, 17);
  view.setUint32(CODE_BYTES - 4, crc32(bytes.subarray(0, CODE_BYTES - 4)));
  return base32(bytes)
    .match(/.{1,6}/g)!
    .join('-');
}

/** Read a publication code (dashes and whitespace ignored, case-insensitive); checks the CRC. */
export function decodePublication(code: string): Publication {
  const clean = code.replace(/[\s-]/g, '').toUpperCase();
  if (clean.length !== Math.ceil((CODE_BYTES * 8) / 5))
    throw new KsiError('BAD_PUBLICATION_CODE', 'a publication code has 85 letters (without dashes)');
  const bytes = unbase32(clean);
  const view = new DataView(bytes.buffer);
  if (bytes[0] !== VERSION)
    throw new KsiError('BAD_PUBLICATION_CODE', `unknown publication version ${bytes[0]}`);
  if (view.getUint32(CODE_BYTES - 4) !== crc32(bytes.subarray(0, CODE_BYTES - 4)))
    throw new KsiError('BAD_PUBLICATION_CODE', 'publication code checksum mismatch: mistyped?');
  const time = view.getBigUint64(1);
  const size = view.getBigUint64(9);
  if (time > BigInt(Number.MAX_SAFE_INTEGER) || size > BigInt(Number.MAX_SAFE_INTEGER) || size === 0n)
    throw new KsiError('BAD_PUBLICATION_CODE', 'publication time or size out of range');
  return { time: Number(time), size: Number(size), root: bytes.slice(17, 17 + HASH_SIZE) };
}

/** The canonical form of a code (as encodePublication writes it). */
export function normalizePublicationCode(code: string): string {
  return encodePublication(decodePublication(code));
}

/**
 * The publications file: every publication of one calendar, oldest first, as a signed note
 * (c2sp.org/signed-note) by the calendar key:
 *
 *   riik/ksi-publications@v1
 *   <origin>
 *   <code>
 *   ...
 *
 *   — <origin> <signature>
 */
export const PUBLICATIONS_HEADER = 'riik/ksi-publications@v1';

export function formatPublications(origin: string, publications: readonly Publication[]): string {
  return [PUBLICATIONS_HEADER, origin, ...publications.map(encodePublication)].join('\n') + '\n';
}

export function signPublications(
  origin: string,
  publications: readonly Publication[],
  signer: NoteSigner,
): Promise<string> {
  return signNote(formatPublications(origin, publications), [signer]);
}

/**
 * Read a publications file. With `verifier` the note must carry its valid signature; without,
 * only the syntax is checked (each code still has its CRC, and a signature extended to one of
 * them proves itself against it).
 */
export function parsePublications(
  text: string,
  verifier?: NoteVerifier,
): { origin: string; publications: Publication[] } {
  let body: string;
  try {
    body = verifier ? openNote(text, [verifier]).text : parseNote(text).text;
  } catch (err) {
    throw new KsiError('MALFORMED_PUBLICATIONS', `publications file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const lines = body.split('\n');
  lines.pop(); // the note text ends with a newline
  if (lines[0] !== PUBLICATIONS_HEADER || !lines[1])
    throw new KsiError('MALFORMED_PUBLICATIONS', `publications file must start with ${PUBLICATIONS_HEADER}`);
  const publications = lines.slice(2).map(decodePublication);
  for (let k = 1; k < publications.length; k++) {
    if (
      publications[k]!.size < publications[k - 1]!.size ||
      publications[k]!.time < publications[k - 1]!.time
    )
      throw new KsiError('MALFORMED_PUBLICATIONS', 'publications must be in order');
  }
  return { origin: lines[1], publications };
}
