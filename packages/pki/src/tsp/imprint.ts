import { createHash } from 'node:crypto';
import { hashLength, nodeHashName, type HashAlgorithm } from '@riik/keys/signer';
import { encodeOctetString, encodeOid, encodeSequence } from '../der.js';
import { OID } from '../oids.js';

/**
 * The hash algorithms riik accepts in a MessageImprint: SHA-256, SHA-384 and SHA-512. SHA-1 and
 * SHA-224 are refused (RFC 3161 leaves the choice to the TSA; ETSI TS 119 312 no longer lists
 * SHA-1 for time-stamps).
 */
export const IMPRINT_HASHES: readonly HashAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];

const OID_OF: Record<HashAlgorithm, string> = {
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

export function hashOid(hash: HashAlgorithm): string {
  return OID_OF[hash];
}

/** The hash an OID names, when riik accepts it for imprints. */
export function hashOfOid(oid: string): HashAlgorithm | undefined {
  return IMPRINT_HASHES.find((h) => OID_OF[h] === oid);
}

/** node:crypto digest of `data`. */
export function digestOf(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(nodeHashName(hash)).update(data).digest());
}

/** AlgorithmIdentifier DER for a hash, parameters absent (RFC 5754 §2). */
export function hashAlgorithmIdentifier(hash: HashAlgorithm): Uint8Array {
  return encodeSequence([encodeOid(OID_OF[hash])]);
}

/** MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }. */
export function encodeMessageImprint(hash: HashAlgorithm, hashedMessage: Uint8Array): Uint8Array {
  if (hashedMessage.length !== hashLength(hash)) {
    throw new RangeError(`a ${hash} digest is ${hashLength(hash)} bytes, not ${hashedMessage.length}`);
  }
  return encodeSequence([hashAlgorithmIdentifier(hash), encodeOctetString(hashedMessage)]);
}
