import type { KeyObject } from 'node:crypto';

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type KeyAlgorithm = 'EC-P256' | 'EC-P384' | 'Ed25519';

/**
 * A private key that signs but never leaves its store. The CA, OCSP responder, TSA and
 * security servers sign only through this interface, so a software keystore and an HSM
 * (PKCS#11) are interchangeable.
 */
export interface Signer {
  readonly keyAlgorithm: KeyAlgorithm;
  /** The public half, for building certificates and checking signatures. */
  readonly publicKey: KeyObject;
  /**
   * Sign `data`, hashing it with `hash` (ignored for Ed25519). ECDSA signatures are
   * DER-encoded `Ecdsa-Sig-Value` (the X.509 / CMS / OCSP form); use `ecdsaDerToRaw` for the
   * XMLDSig and JOSE `r||s` form.
   */
  sign(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array>;
}

/** The node:crypto digest name for a hash algorithm. */
export function nodeHashName(hash: HashAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return hash === 'SHA-256' ? 'sha256' : hash === 'SHA-384' ? 'sha384' : 'sha512';
}

/** Hash length in bytes. */
export function hashLength(hash: HashAlgorithm): number {
  return hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : 64;
}
