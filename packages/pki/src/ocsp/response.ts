import { BasicOCSPResponse, OCSPResponse, type CertID } from '@peculiar/asn1-ocsp';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { signatureAlgorithm, verifySignature } from '../algorithms.js';
import { CRL_REASONS, reasonName, type RevocationReason } from '../crl/reason.js';
import { bytes, children, encodeOid, encodeTlv, parseDer, readTlv, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { Certificate } from '../x509/certificate.js';
import { keyIdentifier } from '../x509/extensions.js';
import { OCSP_RESPONSE_STATUS, type OcspResponseStatusName } from './status.js';

export type CertStatusValue =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason }
  | { status: 'unknown' };

export interface SingleResponseInput {
  /** The CertID DER exactly as the request carried it (ParsedCertId.raw). */
  certId: Uint8Array;
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

const seq = (...parts: Uint8Array[]) => encodeTlv(0x30, Buffer.concat(parts));

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 §4.1.2.5.2: whole seconds, Zulu). */
function generalizedTime(date: Date): Uint8Array {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return encodeTlv(0x18, Buffer.from(text, 'latin1'));
}

function certStatus(value: CertStatusValue): Uint8Array {
  switch (value.status) {
    case 'good':
      return new Uint8Array([0x80, 0x00]); // [0] IMPLICIT NULL
    case 'unknown':
      return new Uint8Array([0x82, 0x00]); // [2] IMPLICIT NULL
    case 'revoked': {
      // [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
      const time = generalizedTime(value.revokedAt);
      const reason =
        value.reason === 'unspecified'
          ? new Uint8Array()
          : new Uint8Array([0xa0, 0x03, 0x0a, 0x01, CRL_REASONS[value.reason]]);
      return encodeTlv(0xa1, Buffer.concat([time, reason]));
    }
  }
}

/** The parts of a response that depend only on the responder, encoded once per responder. */
interface ResponderParts {
  responderId: Uint8Array;
  certs: Uint8Array;
  algorithms: Map<HashAlgorithm, Uint8Array>;
}
const responderParts = new WeakMap<Certificate, ResponderParts>();

function partsFor(responder: Certificate): ResponderParts {
  let parts = responderParts.get(responder);
  if (!parts) {
    parts = {
      // ResponderID byKey [2] EXPLICIT KeyHash (SHA-1 of the responder's public key bits)
      responderId: encodeTlv(0xa2, encodeTlv(0x04, keyIdentifier(responder.publicKeyBits))),
      // certs [0] EXPLICIT SEQUENCE OF Certificate: the responder certificate, for delegation checks
      certs: encodeTlv(0xa0, seq(responder.der)),
      algorithms: new Map(),
    };
    responderParts.set(responder, parts);
  }
  return parts;
}

/**
 * Build a successful, signed OCSPResponse with a BasicOCSPResponse (RFC 6960 §4.2.1). The
 * responder is identified by key hash and its certificate is included, so clients can check the
 * delegation (§4.2.2.2).
 *
 * Encoded by hand: every byte here is fixed by RFC 6960 and DER, the CertID is echoed exactly
 * as requested, and this is the responder's hot path, where the generic ASN.1 serialiser cost
 * more than the signature.
 */
export async function buildOcspResponse(options: BuildOcspResponseOptions): Promise<Uint8Array> {
  const hash = options.hash ?? 'SHA-384';
  const parts = partsFor(options.responderCertificate);
  let algorithm = parts.algorithms.get(hash);
  if (!algorithm) {
    algorithm = serializeDer(signatureAlgorithm(options.signer, hash));
    parts.algorithms.set(hash, algorithm);
  }
  const singles = options.responses.map((r) =>
    seq(
      r.certId,
      certStatus(r.status),
      generalizedTime(r.thisUpdate),
      r.nextUpdate ? encodeTlv(0xa0, generalizedTime(r.nextUpdate)) : new Uint8Array(),
    ),
  );
  const extensions = options.nonceExtnValue
    ? encodeTlv(0xa1, seq(seq(encodeOid(OID.pkixOcspNonce), encodeTlv(0x04, options.nonceExtnValue))))
    : new Uint8Array();
  const tbs = seq(parts.responderId, generalizedTime(options.producedAt), seq(...singles), extensions);
  const signature = await options.signer.sign(tbs, hash);
  const basic = seq(
    tbs,
    algorithm,
    encodeTlv(0x03, Buffer.concat([new Uint8Array([0]), signature])),
    parts.certs,
  );
  return seq(
    new Uint8Array([0x0a, 0x01, OCSP_RESPONSE_STATUS.successful]),
    encodeTlv(0xa0, seq(encodeOid(OID.pkixOcspBasic), encodeTlv(0x04, basic))),
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
