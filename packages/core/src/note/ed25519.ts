/** Raw Ed25519 keys (RFC 8032 encodings) with node:crypto. */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// DER wrappers for raw keys: PKCS#8 OneAsymmetricKey and SPKI, both with id-Ed25519 (1.3.101.112).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const ED25519_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Undefined when OpenSSL refuses the bytes as a public key. */
export function ed25519PublicKey(publicKey: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

export function ed25519PublicKeyOf(privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - ED25519_KEY_SIZE));
}

export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey));
}

export function ed25519Verify(
  publicKey: KeyObject | undefined,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey === undefined || signature.byteLength !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
