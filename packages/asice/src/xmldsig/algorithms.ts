/**
 * The algorithm allow-lists: only what is listed here is computed or verified; any other URI is
 * an "unsupported algorithm" finding, never a silent pass.
 */

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface DigestAlgorithm {
  readonly uri: string;
  readonly hash: HashName;
  /** SHA-1: still verified (old BDOC containers use it), but reported as weak. */
  readonly weak: boolean;
}

export const DIGEST = Object.freeze({
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha224: 'http://www.w3.org/2001/04/xmldsig-more#sha224',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
});

const DIGESTS: ReadonlyMap<string, DigestAlgorithm> = new Map(
  (Object.entries(DIGEST) as Array<[HashName, string]>).map(([hash, uri]) => [
    uri,
    Object.freeze({ uri, hash, weak: hash === 'sha1' }),
  ]),
);

export function digestAlgorithm(uri: string): DigestAlgorithm | undefined {
  return DIGESTS.get(uri);
}

export function digestUriOf(hash: HashName): string {
  return DIGEST[hash];
}

export type KeyType = 'rsa' | 'ec';
export type RsaPadding = 'pkcs1' | 'pss';

export interface SignatureAlgorithm {
  readonly uri: string;
  readonly keyType: KeyType;
  readonly hash: HashName;
  /** RSA only. PSS uses MGF1 with the same hash and a salt as long as the hash (RFC 6931 2.3.10). */
  readonly padding?: RsaPadding;
  readonly weak: boolean;
}

export const SIGNATURE = Object.freeze({
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha224: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha224',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  rsaPssSha384: 'http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1',
  rsaPssSha512: 'http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1',
  ecdsaSha1: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
  ecdsaSha224: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
});

function sig(uri: string, keyType: KeyType, hash: HashName, padding?: RsaPadding): SignatureAlgorithm {
  return Object.freeze({ uri, keyType, hash, weak: hash === 'sha1', ...(padding ? { padding } : {}) });
}

const SIGNATURES: ReadonlyMap<string, SignatureAlgorithm> = new Map(
  [
    sig(SIGNATURE.rsaSha1, 'rsa', 'sha1', 'pkcs1'),
    sig(SIGNATURE.rsaSha224, 'rsa', 'sha224', 'pkcs1'),
    sig(SIGNATURE.rsaSha256, 'rsa', 'sha256', 'pkcs1'),
    sig(SIGNATURE.rsaSha384, 'rsa', 'sha384', 'pkcs1'),
    sig(SIGNATURE.rsaSha512, 'rsa', 'sha512', 'pkcs1'),
    sig(SIGNATURE.rsaPssSha256, 'rsa', 'sha256', 'pss'),
    sig(SIGNATURE.rsaPssSha384, 'rsa', 'sha384', 'pss'),
    sig(SIGNATURE.rsaPssSha512, 'rsa', 'sha512', 'pss'),
    sig(SIGNATURE.ecdsaSha1, 'ec', 'sha1'),
    sig(SIGNATURE.ecdsaSha224, 'ec', 'sha224'),
    sig(SIGNATURE.ecdsaSha256, 'ec', 'sha256'),
    sig(SIGNATURE.ecdsaSha384, 'ec', 'sha384'),
    sig(SIGNATURE.ecdsaSha512, 'ec', 'sha512'),
  ].map((a) => [a.uri, a]),
);

export function signatureAlgorithm(uri: string): SignatureAlgorithm | undefined {
  return SIGNATURES.get(uri);
}

export function signatureUriOf(keyType: KeyType, hash: HashName): string {
  for (const alg of SIGNATURES.values()) {
    if (alg.keyType === keyType && alg.hash === hash && alg.padding !== 'pss') return alg.uri;
  }
  throw new RangeError(`no signature algorithm for ${keyType} with ${hash}`);
}
