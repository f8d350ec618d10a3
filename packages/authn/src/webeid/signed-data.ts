import { createHash } from 'node:crypto';
import { AuthnError } from '../errors.js';

/** JWS algorithms Web eID allows, with their hash and key type. */
export const WEB_EID_ALGORITHMS = {
  ES256: { hash: 'sha256', key: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', key: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', key: 'ec', curve: 'secp521r1' },
  PS256: { hash: 'sha256', key: 'rsa-pss' },
  PS384: { hash: 'sha384', key: 'rsa-pss' },
  PS512: { hash: 'sha512', key: 'rsa-pss' },
  RS256: { hash: 'sha256', key: 'rsa' },
  RS384: { hash: 'sha384', key: 'rsa' },
  RS512: { hash: 'sha512', key: 'rsa' },
} as const;

export type WebEidAlgorithm = keyof typeof WEB_EID_ALGORITHMS;

export function isWebEidAlgorithm(name: string): name is WebEidAlgorithm {
  return Object.hasOwn(WEB_EID_ALGORITHMS, name);
}

/**
 * What the card signs: `hash(origin) || hash(nonce)`, each the UTF-8 bytes hashed with the
 * algorithm's hash. The signature algorithm then hashes this concatenation once more.
 */
export function webEidSignedData(algorithm: WebEidAlgorithm, origin: string, nonce: string): Uint8Array {
  if (!origin || !nonce) throw new AuthnError('BAD_ARGUMENT', 'origin and nonce are required');
  const { hash } = WEB_EID_ALGORITHMS[algorithm];
  const h = (s: string) => createHash(hash).update(s, 'utf8').digest();
  return new Uint8Array(Buffer.concat([h(origin), h(nonce)]));
}
