import { createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ecdsaDerToRaw, nodeHashName as nodeHash, type HashAlgorithm, type Signer } from '@riik/keys';
import { SignatureError } from './errors.js';

/** XML-DSig / XML-Enc digest method identifiers (XMLDSIG 1.1 §6.2) riik writes and accepts. */
export const DIGEST_URI = {
  'SHA-256': 'http://www.w3.org/2001/04/xmlenc#sha256',
  'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'SHA-512': 'http://www.w3.org/2001/04/xmlenc#sha512',
} as const satisfies Record<HashAlgorithm, string>;

/** XML-DSig signature method identifiers (XMLDSIG 1.1 §6.4, RFC 6931) for ECDSA. */
export const ECDSA_SIGNATURE_URI = {
  'SHA-256': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'SHA-512': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const satisfies Record<HashAlgorithm, string>;

/** The digest X-Road message parts, hash chains and the REST request hash use. */
export const MESSAGE_DIGEST: HashAlgorithm = 'SHA-512';

export function digestOfUri(uri: string): HashAlgorithm {
  for (const [hash, u] of Object.entries(DIGEST_URI)) if (u === uri) return hash as HashAlgorithm;
  throw new SignatureError('UnsupportedAlgorithm', `unsupported digest method ${uri.slice(0, 100)}`);
}

export function signatureHashOfUri(uri: string): HashAlgorithm {
  for (const [hash, u] of Object.entries(ECDSA_SIGNATURE_URI)) if (u === uri) return hash as HashAlgorithm;
  throw new SignatureError('UnsupportedAlgorithm', `unsupported signature method ${uri.slice(0, 100)}`);
}

export function digest(hash: HashAlgorithm, ...data: Uint8Array[]): Uint8Array {
  const h = createHash(nodeHash(hash));
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

function fieldBytes(key: KeyObject): number {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return 32;
  if (curve === 'secp384r1') return 48;
  if (curve === 'secp521r1') return 66;
  throw new SignatureError('UnsupportedAlgorithm', `unsupported key ${curve ?? key.asymmetricKeyType ?? ''}`);
}

/**
 * Sign for an XML signature: ECDSA values are `r || s` (XMLDSIG 1.1 §6.4.3), not the DER form X.509
 * uses. Returns the value and the SignatureMethod URI.
 */
export async function xmlSign(
  signer: Signer,
  data: Uint8Array,
  hash: HashAlgorithm,
): Promise<{ value: Uint8Array; method: string }> {
  if (signer.keyAlgorithm === 'Ed25519')
    throw new SignatureError('UnsupportedAlgorithm', 'X-Road message signatures use ECDSA keys');
  const der = await signer.sign(data, hash);
  return { value: ecdsaDerToRaw(der, fieldBytes(signer.publicKey)), method: ECDSA_SIGNATURE_URI[hash] };
}

/** Verify an XML-DSig ECDSA signature value (`r || s`) over `data`. */
export function xmlVerify(key: KeyObject, methodUri: string, data: Uint8Array, value: Uint8Array): boolean {
  const hash = signatureHashOfUri(methodUri);
  if (key.asymmetricKeyType !== 'ec') return false;
  if (value.length !== 2 * fieldBytes(key)) return false;
  try {
    return nodeVerify(nodeHash(hash), data, { key, dsaEncoding: 'ieee-p1363' }, value);
  } catch {
    return false;
  }
}
