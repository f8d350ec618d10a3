import { p384, p256, p521 } from '@noble/curves/nist.js';
import type { Certificate } from '@riik/pki';
import { AuthnError } from '../errors.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Verify an ECDSA signature (raw r||s) made over a precomputed digest, as Mobile-ID SIMs and
 * Smart-ID apps sign the hash the relying party sent. node:crypto always hashes its input, so
 * the prehashed check is done with @noble/curves.
 */
export function verifyDigestSignature(cert: Certificate, digest: Uint8Array, signature: Uint8Array): boolean {
  const jwk = cert.publicKey.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv as keyof typeof CURVES];
  if (jwk.kty !== 'EC' || !curve)
    throw new AuthnError('ALGORITHM_UNSUPPORTED', 'the certificate key is not an EC key');
  try {
    return curve.verify(signature, digest, cert.publicKeyBits, { prehash: false, lowS: false });
  } catch {
    return false;
  }
}
