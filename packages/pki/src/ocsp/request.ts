import { randomBytes } from 'node:crypto';
import { OCSPRequest, Request, TBSRequest, type CertID } from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { toHex } from '@riik/core';
import { bytes, parseDer, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';
import { buildCertId, certIdHashOfOid, issuerKey, type CertIdHash } from './certid.js';

/** One certificate asked about, identified as RFC 6960 §4.1.1 CertID. */
export interface ParsedCertId {
  hash: CertIdHash;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** Serial as hex of the INTEGER content. */
  serialHex: string;
  /** "<hash>:<name>:<key>" lookup key of the issuer. */
  issuerKey: string;
  /** The CertID as it arrived, echoed into the SingleResponse. */
  raw: CertID;
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

/**
 * Parse an OCSPRequest. Throws PkiError MALFORMED_DER for anything a responder should answer
 * with `malformedRequest` (RFC 6960 §2.3).
 */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  const req = parseDer(der, OCSPRequest, 'OCSP request');
  const list = req.tbsRequest.requestList;
  if (list.length === 0 || list.length > MAX_OCSP_REQUEST_CERTS) {
    throw new PkiError(
      'MALFORMED_DER',
      `an OCSP request must ask about 1-${MAX_OCSP_REQUEST_CERTS} certificates`,
    );
  }
  const certIds = list.map(({ reqCert }) => {
    const hash = certIdHashOfOid(reqCert.hashAlgorithm.algorithm);
    const nameHash = bytes(reqCert.issuerNameHash.buffer);
    const keyHash = bytes(reqCert.issuerKeyHash.buffer);
    const serial = bytes(reqCert.serialNumber);
    if (!hash)
      throw new PkiError('MALFORMED_DER', `unsupported CertID hash ${reqCert.hashAlgorithm.algorithm}`);
    if (serial.length === 0 || serial.length > 20)
      throw new PkiError('MALFORMED_DER', 'bad serial number length');
    return {
      hash,
      issuerNameHash: nameHash,
      issuerKeyHash: keyHash,
      serialHex: toHex(serial),
      issuerKey: issuerKey(hash, nameHash, keyHash),
      raw: reqCert,
    };
  });
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === OID.pkixOcspNonce);
  if (nonce) {
    const value = bytes(nonce.extnValue.buffer);
    if (value.length === 0 || value.length > MAX_NONCE_EXTN)
      throw new PkiError('MALFORMED_DER', 'nonce must be 1-32 octets');
    return { certIds, nonceExtnValue: value };
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
