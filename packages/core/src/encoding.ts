/** Small, allocation-conscious helpers for the encodings protocols use. */
import { timingSafeEqual } from 'node:crypto';

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('not a hex string');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict base64 (standard or URL alphabet, optional padding); throws on any other character. */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new TypeError('not a base64 string');
  return new Uint8Array(
    Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64'),
  );
}

/**
 * Constant-time equality of two byte strings (false on length mismatch, which is not secret).
 * OpenSSL's CRYPTO_memcmp through timingSafeEqual: 4-15x faster than a JavaScript loop over
 * typed arrays (certificate chains compare names and DER on every validation).
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** PEM armour for DER bytes. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der)
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** All PEM blocks with the given label, decoded; throws when none are found. */
export function fromPemAll(label: string, pem: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(re)) out.push(fromBase64(m[1]!));
  if (out.length === 0) throw new TypeError(`no PEM block labelled ${label}`);
  return out;
}

export function fromPem(label: string, pem: string): Uint8Array {
  return fromPemAll(label, pem)[0]!;
}
