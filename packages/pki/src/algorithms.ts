import { createPublicKey, KeyObject, verify as nodeVerify, constants, webcrypto } from 'node:crypto';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { children, decodeOid, encodeOid, encodeSequence, encodeTlv, parseDer, readTlv } from './der.js';
import { PkiError } from './errors.js';
import { asn1Rsa, asn1Schema, asn1X509 } from './lazy-modules.js';
import { OID } from './oids.js';

/**
 * An AlgorithmIdentifier as verification reads it: the algorithm OID and, when present, the
 * parameters' DER. The library's AlgorithmIdentifier is one.
 */
export interface AlgorithmId {
  readonly algorithm: string;
  readonly parameters?: ArrayBuffer | null;
}

/** The signature AlgorithmIdentifier riik writes for a signer and hash (ECDSA has no parameters). */
export function signatureAlgorithm(signer: Signer, hash: HashAlgorithm): AlgorithmIdentifier {
  const { AlgorithmIdentifier } = asn1X509();
  switch (signer.keyAlgorithm) {
    case 'EC-P256':
    case 'EC-P384': {
      const oid = {
        'SHA-256': OID.ecdsaWithSHA256,
        'SHA-384': OID.ecdsaWithSHA384,
        'SHA-512': OID.ecdsaWithSHA512,
      }[hash];
      return new AlgorithmIdentifier({ algorithm: oid });
    }
    case 'Ed25519':
      return new AlgorithmIdentifier({ algorithm: OID.ed25519 });
  }
}

/** Sign bytes with a Signer and return the AlgorithmIdentifier that describes the signature. */
export async function signWith(
  signer: Signer,
  data: Uint8Array,
  hash: HashAlgorithm,
): Promise<{ algorithm: AlgorithmIdentifier; signature: Uint8Array }> {
  return { algorithm: signatureAlgorithm(signer, hash), signature: await signer.sign(data, hash) };
}

type NodeHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const SIMPLE: Record<string, NodeHash> = {
  [OID.ecdsaWithSHA1]: 'sha1',
  [OID.ecdsaWithSHA224]: 'sha224',
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
  [OID.sha1WithRSAEncryption]: 'sha1',
  [OID.sha224WithRSAEncryption]: 'sha224',
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

const HASH_OF_OID: Record<string, NodeHash> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Signature algorithms considered too weak to accept for new signatures (reported by callers). */
export function isWeakSignatureAlgorithm(oid: string): boolean {
  return oid === OID.ecdsaWithSHA1 || oid === OID.sha1WithRSAEncryption;
}

/**
 * Verify an X.509-style signature (ECDSA DER, RSA PKCS#1 v1.5, RSASSA-PSS, Ed25519) by
 * algorithm identifier. Unknown algorithms are an error, never a silent pass.
 */
export function verifySignature(
  publicKey: KeyObject,
  algorithm: AlgorithmId,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const oid = algorithm.algorithm;
  const simple = SIMPLE[oid];
  try {
    if (simple) {
      const isEc = oid.startsWith('1.2.840.10045.');
      if (isEc !== (publicKey.asymmetricKeyType === 'ec')) return false;
      return nodeVerify(simple, data, isEc ? { key: publicKey, dsaEncoding: 'der' } : publicKey, signature);
    }
    if (oid === OID.ed25519)
      return publicKey.asymmetricKeyType === 'ed25519' && nodeVerify(null, data, publicKey, signature);
    if (oid === OID.rsassaPss) {
      if (!algorithm.parameters) throw new PkiError('UNSUPPORTED_ALGORITHM', 'RSASSA-PSS without parameters');
      const params = asn1Schema().AsnConvert.parse(algorithm.parameters, asn1Rsa().RsaSaPssParams);
      const hash = HASH_OF_OID[params.hashAlgorithm.algorithm];
      if (!hash) throw new PkiError('UNSUPPORTED_ALGORITHM', `PSS hash ${params.hashAlgorithm.algorithm}`);
      return nodeVerify(
        hash,
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
        signature,
      );
    }
  } catch (err) {
    if (err instanceof PkiError) throw err;
    return false; // malformed signature bytes: a failed verification, not a crash
  }
  throw new PkiError('UNSUPPORTED_ALGORITHM', `unsupported signature algorithm ${oid}`);
}

/**
 * An AlgorithmIdentifier from its DER. One with absent or NULL parameters (ECDSA, RSA PKCS#1
 * v1.5, EdDSA: every signature algorithm but RSASSA-PSS) is read by hand: a validator reads one
 * for every OCSP response and time-stamp token, and the ASN.1 library's generic parse cost more
 * than the rest of the token's framing. Anything else goes through the library (PSS parameters).
 */
export function decodeAlgorithmIdentifier(der: Uint8Array, what: string): AlgorithmId {
  try {
    const outer = readTlv(der, 0);
    if (outer.tag === 0x30 && outer.end === der.length) {
      const [oid, parameters, extra] = children(der, outer);
      const noParameters =
        !parameters || (parameters.tag === 0x05 && parameters.end === parameters.contentStart);
      if (oid?.tag === 0x06 && noParameters && !extra)
        return { algorithm: decodeOid(der.subarray(oid.contentStart, oid.end)) };
    }
  } catch {
    // not well formed: the library's parse below reports it
  }
  return parseDer(der, asn1X509().AlgorithmIdentifier, what);
}

/** A node KeyObject from SubjectPublicKeyInfo DER. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new PkiError('UNSUPPORTED_ALGORITHM', 'unsupported or malformed public key', { cause: err });
  }
}

/** The SubjectPublicKeyInfo DER of an uncompressed point on each named curve, up to the point. */
const EC_SPKI = (
  [
    ['P-256', OID.secp256r1, 32],
    ['P-384', OID.secp384r1, 48],
    ['P-521', OID.secp521r1, 66],
  ] as const
).map(([curve, oid, fieldBytes]) => {
  const point = new Uint8Array(1 + 2 * fieldBytes);
  const spki = encodeSequence([
    encodeSequence([encodeOid(OID.ecPublicKey), encodeOid(oid)]),
    encodeTlv(0x03, new Uint8Array([0, ...point])),
  ]);
  return {
    curve,
    prefix: Buffer.from(spki.subarray(0, spki.length - point.length)),
    pointLength: point.length,
  };
});

/**
 * A node KeyObject from SubjectPublicKeyInfo DER, as publicKeyFromSpki, but an uncompressed EC
 * point on a named curve is imported as a raw point (WebCrypto "raw", OpenSSL's
 * EC_POINT_oct2point, which refuses points off the curve just as the decoder does). The generic
 * SubjectPublicKeyInfo decoder of OpenSSL 3 took a third of a millisecond per key in a validator,
 * as much as an ECDSA verification, and a validator loads a new signer key for nearly every
 * container; the raw import takes a tenth of that. Anything else, and anything the raw import
 * refuses, goes to publicKeyFromSpki.
 */
export async function publicKeyFromSpkiQuick(spki: Uint8Array): Promise<KeyObject> {
  const ec = EC_SPKI.find(
    (e) =>
      spki.length === e.prefix.length + e.pointLength && e.prefix.equals(spki.subarray(0, e.prefix.length)),
  );
  const point = ec && spki.subarray(ec.prefix.length);
  if (ec && point && point[0] === 0x04) {
    try {
      const key = await webcrypto.subtle.importKey(
        'raw',
        point,
        { name: 'ECDSA', namedCurve: ec.curve },
        true,
        ['verify'],
      );
      return KeyObject.from(key);
    } catch {
      // the decoder below gives the verdict
    }
  }
  return publicKeyFromSpki(spki);
}

export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}
