import { randomBytes } from 'node:crypto';
import { toHex } from '@riik/core';
import { children, encodeOid, readTlv, serializeDer, type Tlv } from '../der.js';
import { PkiError } from '../errors.js';
import { asn1Ocsp, asn1Schema, asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';
import { buildCertId, issuerKey, type CertIdHash } from './certid.js';

/** One certificate asked about, identified as RFC 6960 §4.1.1 CertID. */
export interface ParsedCertId {
  hash: CertIdHash;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** Serial as hex of the INTEGER content. */
  serialHex: string;
  /** "<hash>:<name>:<key>" lookup key of the issuer. */
  issuerKey: string;
  /** The CertID DER exactly as it arrived, echoed into the SingleResponse. */
  raw: Uint8Array;
}

export interface ParsedOcspRequest {
  certIds: ParsedCertId[];
  /** The nonce extension's value exactly as received (RFC 8954), if any. */
  nonceExtnValue?: Uint8Array;
}

/** Most requests ask about one certificate; a cap keeps a hostile request from costing more than a few. */
export const MAX_OCSP_REQUEST_CERTS = 16;
/** RFC 8954 §2.1: a nonce is 1-32 octets (plus the OCTET STRING wrapper). */
const MAX_NONCE_EXTN = 34;

const HASH_BY_OID_DER = new Map<string, CertIdHash>(
  (
    [
      ['SHA-1', OID.sha1],
      ['SHA-256', OID.sha256],
      ['SHA-384', OID.sha384],
      ['SHA-512', OID.sha512],
    ] as const
  ).map(([hash, oid]) => [toHex(encodeOid(oid)), hash]),
);
const NONCE_OID_HEX = toHex(encodeOid(OID.pkixOcspNonce));

function malformed(why: string): PkiError {
  return new PkiError('MALFORMED_DER', `malformed OCSP request: ${why}`);
}

function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw malformed(`expected ${what}`);
  return tlv;
}

/**
 * Parse an OCSPRequest (RFC 6960 §4.1.1). Throws PkiError MALFORMED_DER for anything a responder
 * must answer with `malformedRequest`.
 *
 * Hand-written over the DER reader rather than the ASN.1 schema library: this runs once per
 * request on the responder's hot path, where the library's generic parse cost ~15× more than
 * the answer itself, and the structure is small and fixed.
 */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw malformed('not one SEQUENCE');
  const top = children(der, outer);
  const tbs = expect(top[0], 0x30, 'TBSRequest');
  if (top.length > 2 || (top[1] && top[1].tag !== 0xa0))
    throw malformed('unexpected element after TBSRequest');
  let fields = children(der, tbs);
  if (fields[0]?.tag === 0xa0) {
    // version [0] EXPLICIT INTEGER: only v1 (0) exists.
    const v = children(der, fields[0]);
    if (
      v.length !== 1 ||
      v[0]!.tag !== 0x02 ||
      v[0]!.end - v[0]!.contentStart !== 1 ||
      der[v[0]!.contentStart] !== 0
    ) {
      throw malformed('unsupported version');
    }
    fields = fields.slice(1);
  }
  if (fields[0]?.tag === 0xa1) fields = fields.slice(1); // requestorName: not used
  const list = expect(fields[0], 0x30, 'requestList');
  const extensions = fields[1];
  if (fields.length > 2 || (extensions && extensions.tag !== 0xa2))
    throw malformed('unexpected element in TBSRequest');

  const requests = children(der, list);
  if (requests.length === 0 || requests.length > MAX_OCSP_REQUEST_CERTS) {
    throw malformed(`must ask about 1-${MAX_OCSP_REQUEST_CERTS} certificates`);
  }
  const certIds = requests.map((request) => {
    const parts = children(der, expect(request, 0x30, 'Request'));
    if (parts.length > 2 || (parts[1] && parts[1].tag !== 0xa0))
      throw malformed('unexpected element in Request');
    const certIdTlv = expect(parts[0], 0x30, 'CertID');
    const [alg, nameHash, keyHash, serial, extra] = children(der, certIdTlv);
    if (extra) throw malformed('trailing element in CertID');
    const algParts = children(der, expect(alg, 0x30, 'hashAlgorithm'));
    const oid = expect(algParts[0], 0x06, 'hash OID');
    if (
      algParts.length > 2 ||
      (algParts[1] && !(algParts[1].tag === 0x05 && algParts[1].end === algParts[1].contentStart))
    ) {
      throw malformed('hash algorithm parameters must be absent or NULL');
    }
    const hash = HASH_BY_OID_DER.get(toHex(der.subarray(oid.start, oid.end)));
    if (!hash) throw malformed('unsupported CertID hash algorithm');
    const n = expect(nameHash, 0x04, 'issuerNameHash');
    const k = expect(keyHash, 0x04, 'issuerKeyHash');
    const s = expect(serial, 0x02, 'serialNumber');
    const serialLength = s.end - s.contentStart;
    if (serialLength === 0 || serialLength > 21) throw malformed('bad serial number length');
    const issuerNameHash = der.subarray(n.contentStart, n.end);
    const issuerKeyHash = der.subarray(k.contentStart, k.end);
    return {
      hash,
      issuerNameHash,
      issuerKeyHash,
      serialHex: toHex(der.subarray(s.contentStart, s.end)),
      issuerKey: issuerKey(hash, issuerNameHash, issuerKeyHash),
      raw: der.subarray(certIdTlv.start, certIdTlv.end),
    };
  });

  if (!extensions) return { certIds };
  const list2 = children(der, expect(children(der, extensions)[0], 0x30, 'Extensions'));
  for (const ext of list2) {
    const [id, second, third] = children(der, expect(ext, 0x30, 'Extension'));
    const oid = expect(id, 0x06, 'extnID');
    const value = expect(second?.tag === 0x01 ? third : second, 0x04, 'extnValue');
    if (toHex(der.subarray(oid.start, oid.end)) !== NONCE_OID_HEX) continue;
    const nonce = der.subarray(value.contentStart, value.end);
    if (nonce.length === 0 || nonce.length > MAX_NONCE_EXTN) throw malformed('nonce must be 1-32 octets');
    return { certIds, nonceExtnValue: nonce };
  }
  return { certIds };
}

export interface BuildOcspRequestOptions {
  hash?: CertIdHash;
  /** Nonce octets (RFC 8954: 32 random octets by default when `true`). */
  nonce?: boolean | Uint8Array;
}

/** Build an unsigned OCSPRequest for one certificate; returns the DER and the nonce sent. */
export function buildOcspRequest(
  cert: Certificate,
  issuer: Certificate,
  options: BuildOcspRequestOptions = {},
): { der: Uint8Array; nonce?: Uint8Array } {
  const { OCSPRequest, Request, TBSRequest } = asn1Ocsp();
  const { AsnConvert, OctetString } = asn1Schema();
  const { Extension } = asn1X509();
  const tbs = new TBSRequest({
    requestList: [new Request({ reqCert: buildCertId(cert, issuer, options.hash ?? 'SHA-1') })],
  });
  let nonce: Uint8Array | undefined;
  if (options.nonce) {
    nonce = options.nonce === true ? new Uint8Array(randomBytes(32)) : options.nonce;
    tbs.requestExtensions = [
      new Extension({
        extnID: OID.pkixOcspNonce,
        critical: false,
        extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))),
      }),
    ];
  }
  const der = serializeDer(new OCSPRequest({ tbsRequest: tbs }));
  return nonce ? { der, nonce } : { der };
}
