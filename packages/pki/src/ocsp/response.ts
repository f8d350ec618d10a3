import { ResponseData, type CertID } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { signatureAlgorithm, verifySignature } from '../algorithms.js';
import { CRL_REASONS, reasonName, type RevocationReason } from '../crl/reason.js';
import { bytes, children, decodeOid, encodeOid, encodeTlv, parseDer, readTlv, serializeDer } from '../der.js';
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
  const outer = readOcspResponse(der);
  const status = (Object.entries(OCSP_RESPONSE_STATUS) as Array<[OcspResponseStatusName, number]>).find(
    ([, v]) => v === outer.responseStatus,
  )?.[0];
  if (!status)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', `unknown OCSP response status ${outer.responseStatus}`);
  if (status !== 'successful') return { der, status };
  if (!outer.responseBytes || outer.responseBytes.responseType !== OID.pkixOcspBasic) {
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'successful OCSP response without a BasicOCSPResponse');
  }
  const basicDer = outer.responseBytes.response;
  // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
  //   certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }. The parts are cut out of the original
  // bytes (signatures cover bytes, and re-encoding a foreign responder's structure need not give
  // them back); only ResponseData and the algorithm go through the ASN.1 library — parsing the
  // embedded certificates there too cost more than the rest of a response (Certificate.fromDer
  // reads them, once per certificate).
  let parts: ReturnType<typeof children>;
  try {
    const outerTlv = readTlv(basicDer, 0);
    if (outerTlv.tag !== 0x30 || outerTlv.end !== basicDer.length) throw new Error('not one SEQUENCE');
    parts = children(basicDer, outerTlv);
  } catch (err) {
    throw new PkiError('OCSP_MALFORMED_RESPONSE', `BasicOCSPResponse: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const [tbsTlv, algTlv, sigTlv, certsTlv, extra] = parts;
  if (
    tbsTlv?.tag !== 0x30 ||
    algTlv?.tag !== 0x30 ||
    sigTlv?.tag !== 0x03 ||
    sigTlv.end - sigTlv.contentStart < 1 ||
    basicDer[sigTlv.contentStart] !== 0 ||
    (certsTlv && certsTlv.tag !== 0xa0) ||
    extra
  )
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'BasicOCSPResponse is not well formed');
  const tbsDer = basicDer.subarray(tbsTlv.start, tbsTlv.end);
  const sigAlg = parseDer(
    basicDer.subarray(algTlv.start, algTlv.end),
    AlgorithmIdentifier,
    'BasicOCSPResponse signatureAlgorithm',
  );
  const signature = basicDer.subarray(sigTlv.contentStart + 1, sigTlv.end);
  const certsSeq = certsTlv ? children(basicDer, certsTlv)[0] : undefined;
  if (certsTlv && !certsSeq)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'empty certs field in BasicOCSPResponse');
  const certificates = certsSeq
    ? children(basicDer, certsSeq).map((c) => Certificate.fromDer(basicDer.subarray(c.start, c.end)))
    : [];
  const rd = parseDer(tbsDer, ResponseData, 'ResponseData');
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
      signatureAlgorithm: sigAlg.algorithm,
      isSignedBy: (cert) => verifySignature(cert.publicKey, sigAlg, tbsDer, signature),
    },
  };
}

/**
 * OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT SEQUENCE {
 * responseType OBJECT IDENTIFIER, response OCTET STRING } OPTIONAL } (RFC 6960 4.2.1), read by hand:
 * the ASN.1 library also tries to read the OCTET STRING's content as ASN.1, which made this outer
 * shell cost more than the response inside.
 */
function readOcspResponse(der: Uint8Array): {
  responseStatus: number;
  responseBytes?: { responseType: string; response: Uint8Array };
} {
  const bad = (why: string) => new PkiError('MALFORMED_DER', `OCSP response: ${why}`);
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad('expected one SEQUENCE');
  const [statusTlv, bytesTlv, extra] = children(der, outer);
  if (statusTlv?.tag !== 0x0a || statusTlv.end - statusTlv.contentStart !== 1)
    throw bad('bad responseStatus');
  if (extra || (bytesTlv && bytesTlv.tag !== 0xa0)) throw bad('unexpected fields');
  const responseStatus = der[statusTlv.contentStart]!;
  if (!bytesTlv) return { responseStatus };
  const [seq, more] = children(der, bytesTlv);
  if (seq?.tag !== 0x30 || more) throw bad('bad responseBytes');
  const [typeTlv, responseTlv, rest] = children(der, seq);
  if (typeTlv?.tag !== 0x06 || responseTlv?.tag !== 0x04 || rest) throw bad('bad ResponseBytes');
  return {
    responseStatus,
    responseBytes: {
      responseType: decodeOid(der.subarray(typeTlv.contentStart, typeTlv.end)),
      response: der.subarray(responseTlv.contentStart, responseTlv.end),
    },
  };
}
