import type { CertID } from '@peculiar/asn1-ocsp';
import { toHex } from '@riik/core';
import { arrayBuffer } from '../der.js';
import { asn1Ocsp, asn1Schema, asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';

export type CertIdHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASH_OID: Record<CertIdHash, string> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};
const NODE_NAME: Record<CertIdHash, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export function certIdHashOfOid(oid: string): CertIdHash | undefined {
  return (Object.entries(HASH_OID) as Array<[CertIdHash, string]>).find(([, o]) => o === oid)?.[0];
}

/**
 * The issuer half of a CertID (RFC 6960 §4.1.1): hash of the issuer's DER-encoded subject Name and
 * hash of its subjectPublicKey bits, under one hash algorithm.
 */
export interface IssuerHashes {
  hash: CertIdHash;
  nameHash: Uint8Array;
  keyHash: Uint8Array;
}

export function issuerHashes(issuer: Certificate, hash: CertIdHash): IssuerHashes {
  return {
    hash,
    nameHash: issuer.digest(NODE_NAME[hash], 'subject'),
    keyHash: issuer.digest(NODE_NAME[hash], 'publicKey'),
  };
}

/** A lookup key for an issuer: "<hash>:<nameHash hex>:<keyHash hex>". */
export function issuerKey(hash: CertIdHash, nameHash: Uint8Array, keyHash: Uint8Array): string {
  return `${hash}:${toHex(nameHash)}:${toHex(keyHash)}`;
}

export function buildCertId(cert: Certificate, issuer: Certificate, hash: CertIdHash = 'SHA-1'): CertID {
  const ih = issuerHashes(issuer, hash);
  const { OctetString } = asn1Schema();
  const { AlgorithmIdentifier } = asn1X509();
  return new (asn1Ocsp().CertID)({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OID[hash], parameters: null }),
    issuerNameHash: new OctetString(arrayBuffer(ih.nameHash)),
    issuerKeyHash: new OctetString(arrayBuffer(ih.keyHash)),
    serialNumber: arrayBuffer(cert.serialNumber),
  });
}
