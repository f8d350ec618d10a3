import { createHash } from 'node:crypto';
import { AuthnError } from './errors.js';

/**
 * Smart-ID verification code (SK's Smart-ID RP API documentation, "Verification code"): the last
 * two bytes of SHA-256 over the hash being signed, as a big-endian integer, mod 10000.
 */
export function smartIdVerificationCode(hash: Uint8Array): string {
  if (hash.length === 0) throw new AuthnError('BAD_ARGUMENT', 'the hash to compute a code from is empty');
  const digest = createHash('sha256').update(hash).digest();
  const value = digest.readUInt16BE(digest.length - 2);
  return String(value % 10000).padStart(4, '0');
}

/**
 * Mobile-ID verification code (SK's MID REST API documentation): the 6 most significant bits of
 * the hash's first byte followed by the 7 least significant bits of its last byte (0000-8191).
 * SK's client answers 0000 for hashes shorter than 20 bytes; riik refuses them instead, since no
 * hash algorithm Mobile-ID accepts is that short.
 */
export function mobileIdVerificationCode(hash: Uint8Array): string {
  if (hash.length < 20) throw new AuthnError('BAD_ARGUMENT', 'a Mobile-ID hash is at least 20 bytes');
  const value = ((hash[0]! & 0xfc) << 5) | (hash[hash.length - 1]! & 0x7f);
  return String(value).padStart(4, '0');
}
