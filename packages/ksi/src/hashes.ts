import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '@riik/keys';

/**
 * Documents are signed by their SHA-256, SHA-384 or SHA-512 digest. The leaf data commits to the
 * digest bytes (and the level), not to an algorithm identifier; with only these three
 * algorithms allowed the length names the algorithm, so no algorithm can be swapped for another.
 */
export const DOCUMENT_HASHES: Record<number, HashAlgorithm> = { 32: 'SHA-256', 48: 'SHA-384', 64: 'SHA-512' };

export function documentHashAlgorithm(hash: Uint8Array): HashAlgorithm | undefined {
  return DOCUMENT_HASHES[hash.length];
}

export function hashDocument(data: Uint8Array, algorithm: HashAlgorithm = 'SHA-256'): Uint8Array {
  const name = algorithm === 'SHA-256' ? 'sha256' : algorithm === 'SHA-384' ? 'sha384' : 'sha512';
  return new Uint8Array(createHash(name).update(data).digest());
}
