import {
  BasicOCSPResponse,
  CertStatus,
  OCSPResponse,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  type CertID,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate as AsnCertificate, CRLReason, Extension } from '@peculiar/asn1-x509';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { signatureAlgorithm, verifySignature } from '../algorithms.js';
import { CRL_REASONS, reasonName, type RevocationReason } from '../crl/reason.js';
import { arrayBuffer, bytes, children, parseDer, readTlv, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { wholeSeconds } from '../time.js';
import { Certificate } from '../x509/certificate.js';
import { keyIdentifier } from '../x509/extensions.js';
import { OCSP_RESPONSE_STATUS, type OcspResponseStatusName } from './status.js';

export type CertStatusValue =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason }
  | { status: 'unknown' };

export interface SingleResponseInput {
  certId: CertID;
  status: CertStatusValue;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface BuildOcspResponseOptions {
  responderCertificate: Certificate;
  signer: Signer;
  hash?: HashAlgorithm;
  producedAt: Date;
  responses: SingleResponseInput[];
  /** The request's nonce extension value, echoed verbatim (RFC 8954 §2.1). */
  nonceExtnValue?: Uint8Array;
}

function certStatus(value: CertStatusValue): CertStatus {
  switch (value.status) {
    case 'good':
      return new CertStatus({ good: null });
    case 'unknown':
      return new CertStatus({ unknown: null });
    case 'revoked': {
      const info = new RevokedInfo({ revocationTime: wholeSeconds(value.revokedAt) });
      if (value.reason !== 'unspecified') info.revocationReason = new CRLReason(CRL_REASONS[value.reason]);
      return new CertStatus({ revoked: info });
    }
  }
}

/**
 * Build a successful, signed OCSPResponse with a BasicOCSPResponse (RFC 6960 §4.2.1). The
 * responder is identified by key hash and its certificate is included, so clients can check the
 * delegation (§4.2.2.2).
 */
export async function buildOcspResponse(options: BuildOcspResponseOptions): Promise<Uint8Array> {
  const hash = options.hash ?? 'SHA-384';
  const data = new ResponseData({
    responderID: new ResponderID({
      byKey: new OctetString(arrayBuffer(keyIdentifier(options.responderCertificate.publicKeyBits))),
    }),
    producedAt: wholeSeconds(options.producedAt),
    responses: options.responses.map((r) => {
      const single = new SingleResponse({
        certID: r.certId,
        certStatus: certStatus(r.status),
        thisUpdate: wholeSeconds(r.thisUpdate),
      });
      if (r.nextUpdate) single.nextUpdate = wholeSeconds(r.nextUpdate);
      return single;
    }),
  });
  if (options.nonceExtnValue) {
    data.responseExtensions = [
      new Extension({
        extnID: OID.pkixOcspNonce,
        critical: false,
        extnValue: new OctetString(arrayBuffer(options.nonceExtnValue)),
      }),
    ];
  }
  const tbs = serializeDer(data);
  const signature = await options.signer.sign(tbs, hash);
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: signatureAlgorithm(options.signer, hash),
    signature: arrayBuffer(signature),
    certs: [AsnConvert.parse(options.responderCertificate.der, AsnCertificate)],
  });
  return serializeDer(
    new OCSPResponse({
      responseStatus: OCSP_RESPONSE_STATUS.successful,
      responseBytes: new ResponseBytes({
        responseType: OID.pkixOcspBasic,
        response: new OctetString(serializeDer(basic)),
      }),
    }),
  );
}

export interface ParsedSingleResponse {
  serialHex: string;
  certId: CertID;
  status: CertStatusValue;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcspResponse {
  der: Uint8Array;
  status: OcspResponseStatusName;
  /** Present when status is successful. */
  basic?: {
    /** Exact signed bytes of ResponseData. */
    tbsDer: Uint8Array;
    producedAt: Date;
    responderByKey?: Uint8Array;
    responderByNameDer?: Uint8Array;
    responses: ParsedSingleResponse[];
    nonceExtnValue?: Uint8Array;
    certificates: Certificate[];
    /** Whether `key` signed ResponseData. */
    isSignedBy(cert: Certificate): boolean;
    signatureAlgorithm: string;
  };
}

/** Parse an OCSPResponse (a relying party's view). Signatures are checked by the caller. */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  const outer = parseDer(der, OCSPResponse, 'OCSP response');
  const status = (Object.entries(OCSP_RESPONSE_STATUS) as Array<[OcspResponseStatusName, number]>).find(
    ([, v]) => v === (outer.responseStatus as number),
  )?.[0];
  if (!status)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', `unknown OCSP response status ${outer.responseStatus}`);
  if (status !== 'successful') return { der, status };
  if (!outer.responseBytes || outer.responseBytes.responseType !== OID.pkixOcspBasic) {
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'successful OCSP response without a BasicOCSPResponse');
  }
  const basicDer = bytes(outer.responseBytes.response.buffer);
  const basic = parseDer(basicDer, BasicOCSPResponse, 'BasicOCSPResponse');
  // Cut the signed ResponseData and the certificates out of the original bytes: re-encoding a
  // parsed structure need not reproduce a foreign responder's encoding, and signatures cover bytes.
  const parts = children(basicDer, readTlv(basicDer, 0));
  const tbsDer = basicDer.subarray(parts[0]!.start, parts[0]!.end);
  const certsTlv = parts.find((p) => p.tag === 0xa0);
  const certsSeq = certsTlv ? children(basicDer, certsTlv)[0] : undefined;
  if (certsTlv && !certsSeq)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'empty certs field in BasicOCSPResponse');
  const certificates = certsSeq
    ? children(basicDer, certsSeq).map((c) => Certificate.fromDer(basicDer.subarray(c.start, c.end)))
    : [];
  const rd = basic.tbsResponseData;
  const nonce = rd.responseExtensions?.find((e) => e.extnID === OID.pkixOcspNonce);
  const responses = rd.responses.map((r): ParsedSingleResponse => {
    let value: CertStatusValue;
    if (r.certStatus.revoked) {
      const code = r.certStatus.revoked.revocationReason?.reason;
      value = {
        status: 'revoked',
        revokedAt: r.certStatus.revoked.revocationTime,
        reason: code === undefined ? 'unspecified' : (reasonName(code) ?? 'unspecified'),
      };
    } else if (r.certStatus.good !== undefined) value = { status: 'good' };
    else value = { status: 'unknown' };
    return {
      serialHex: Buffer.from(bytes(r.certID.serialNumber)).toString('hex'),
      certId: r.certID,
      status: value,
      thisUpdate: r.thisUpdate,
      ...(r.nextUpdate ? { nextUpdate: r.nextUpdate } : {}),
    };
  });
  return {
    der,
    status,
    basic: {
      tbsDer,
      producedAt: rd.producedAt,
      ...(rd.responderID.byKey ? { responderByKey: bytes(rd.responderID.byKey.buffer) } : {}),
      ...(rd.responderID.byName ? { responderByNameDer: serializeDer(rd.responderID.byName) } : {}),
      responses,
      ...(nonce ? { nonceExtnValue: bytes(nonce.extnValue.buffer) } : {}),
      certificates,
      signatureAlgorithm: basic.signatureAlgorithm.algorithm,
      isSignedBy: (cert) =>
        verifySignature(cert.publicKey, basic.signatureAlgorithm, tbsDer, bytes(basic.signature)),
    },
  };
}
