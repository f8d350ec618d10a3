/**
 * One RFC 3161 token of a signature (SignatureTimeStamp, ArchiveTimeStamp) or of a time-stamped
 * ASiC-S container: parsed and verified with `@riik/pki` (imprint over the exact octets this
 * package prepared, signed attributes, ESSCertID, signature), and the TSA trusted at the token's
 * genTime — a TSA whose certificate expired since keeps its old tokens valid, as in DigiDoc.
 */
import { PkiError } from '@riik/pki/errors';
import { parseTimeStampToken, type ParsedTimeStampToken } from '@riik/pki/tsp/token';
import { verifyTimeStampToken, type TimeStampCheckCode } from '@riik/pki/tsp/verify';
import type { Certificate } from '@riik/pki/x509/certificate';
import type { HashName } from '../xmldsig/algorithms.js';
import { finding, type Finding, type FindingCode } from '../validation/findings.js';
import type { TimeStampedData } from '../validation/pki.js';
import type { TrustStore } from '../trust/trust-store.js';

export interface TimeStampCheck {
  readonly findings: Finding[];
  /** genTime, when the token could be read. */
  readonly genTime?: Date;
  /** Imprint, signature and TSA trust all passed. */
  readonly valid: boolean;
  readonly token?: ParsedTimeStampToken;
}

const HASH: Record<string, HashName> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** How each verification outcome of `@riik/pki` reads in a DigiDoc report. */
const CODES: Partial<Record<TimeStampCheckCode, FindingCode>> = {
  TOKEN_MALFORMED: 'TIMESTAMP_MALFORMED',
  MALFORMED: 'TIMESTAMP_MALFORMED',
  UNSUPPORTED_HASH: 'UNSUPPORTED_ALGORITHM',
  IMPRINT_MISMATCH: 'TIMESTAMP_IMPRINT_MISMATCH',
  CONTENT_TYPE_MISMATCH: 'TIMESTAMP_SIGNATURE_INVALID',
  MESSAGE_DIGEST_MISMATCH: 'TIMESTAMP_SIGNATURE_INVALID',
  SIGNING_CERTIFICATE_MISMATCH: 'TIMESTAMP_SIGNATURE_INVALID',
  TOKEN_BAD_SIGNATURE: 'TIMESTAMP_SIGNATURE_INVALID',
  SIGNER_CERTIFICATE_MISSING: 'TIMESTAMP_SIGNER_NOT_FOUND',
  EXPIRED: 'TIMESTAMP_CERTIFICATE_NOT_VALID',
  NOT_YET_VALID: 'TIMESTAMP_CERTIFICATE_NOT_VALID',
  WRONG_KEY_USAGE: 'TIMESTAMP_CERTIFICATE_PURPOSE',
  WRONG_EXTENDED_KEY_USAGE: 'TIMESTAMP_CERTIFICATE_PURPOSE',
};

export async function checkTimeStamp(
  der: Uint8Array,
  covered: TimeStampedData | undefined,
  label: string,
  trust: TrustStore,
  pool: readonly Certificate[],
): Promise<TimeStampCheck> {
  let token: ParsedTimeStampToken;
  try {
    token = parseTimeStampToken(der);
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    return { findings: [finding('TIMESTAMP_MALFORMED', `${label}: ${err.message}`, label)], valid: false };
  }
  const info = token.tstInfo;
  const hash = info.messageImprint.hash;
  if (!hash) {
    return {
      findings: [
        finding('UNSUPPORTED_ALGORITHM', `${label} imprint ${info.messageImprint.algorithm}`, label),
      ],
      genTime: info.genTime,
      valid: false,
      token,
    };
  }
  // Without the covered octets (a finding already says why) the imprint cannot be checked.
  const hashedMessage = covered ? await covered.digest(HASH[hash]!) : undefined;
  const verification = await verifyTimeStampToken(token, {
    ...(hashedMessage ? { hashedMessage } : {}),
    anchors: trust.anchors('tsa', info.genTime).map((a) => a.certificate),
    intermediates: pool,
    tsaCertificates: pool,
    time: info.genTime,
  });
  const findings: Finding[] = [];
  if (!verification.valid) {
    const code = CODES[verification.code] ?? 'TIMESTAMP_UNTRUSTED';
    findings.push(finding(code, `${label}: ${verification.message}`, label));
  }
  return { findings, genTime: info.genTime, valid: verification.valid && hashedMessage !== undefined, token };
}
