import { createHash } from 'node:crypto';
import { bytesEqual } from '@riik/core/encoding';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { buildChain } from '../validation/chain.js';
import { checkPurpose } from '../validation/purpose.js';
import type { ValidationCode } from '../validation/result.js';
import type { CertificateValidator, RevocationMode } from '../validation/validator.js';
import type { Certificate } from '../x509/certificate.js';
import { essCertIdMatches } from './ess.js';
import { digestOf } from './imprint.js';
import { parseTimeStampToken, type ParsedTimeStampToken } from './token.js';
import type { TstInfo } from './tst-info.js';

/** Why a time-stamp token is not acceptable: the token's own checks, then the TSA certificate's. */
export type TimeStampCheckCode =
  | ValidationCode
  | 'TOKEN_MALFORMED'
  | 'UNSUPPORTED_HASH'
  | 'IMPRINT_MISMATCH'
  | 'NONCE_MISMATCH'
  | 'POLICY_NOT_ACCEPTED'
  | 'CONTENT_TYPE_MISMATCH'
  | 'MESSAGE_DIGEST_MISMATCH'
  | 'SIGNER_CERTIFICATE_MISSING'
  | 'SIGNING_CERTIFICATE_MISMATCH'
  | 'TOKEN_BAD_SIGNATURE';

export interface VerifyTimeStampOptions {
  /** The time-stamped data; or give `hashedMessage`, its digest under the token's imprint hash. */
  data?: Uint8Array;
  hashedMessage?: Uint8Array;
  /** Trust anchors for the TSA certificate's chain (offline: path, validity at genTime, purpose). */
  anchors?: readonly Certificate[];
  intermediates?: readonly Certificate[];
  /** TSA certificates known out of band, for tokens issued without certReq. */
  tsaCertificates?: readonly Certificate[];
  /** Or a full validator (revocation included); then `anchors` is not used. */
  validator?: CertificateValidator;
  revocation?: RevocationMode;
  /** The nonce sent in the request (INTEGER content octets, as buildTimeStampReq returns it). */
  nonce?: Uint8Array;
  /** Acceptable TSA policies; any when absent. */
  policies?: readonly string[];
  /** When to validate the TSA certificate (default: the token's genTime). */
  time?: Date;
}

export interface TimeStampVerification {
  valid: boolean;
  code: TimeStampCheckCode;
  message: string;
  token?: ParsedTimeStampToken;
  tstInfo?: TstInfo;
  /** The TSA certificate that signed. */
  signer?: Certificate;
  /** TSA certificate first, trust anchor last. */
  chain: Certificate[];
}

const NODE_HASH: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/**
 * Verify a time-stamp token the way RFC 3161 §2.4.2 and RFC 5816 ask a relying party to: the
 * imprint is the data's, the nonce and policy are the expected ones, the signed attributes
 * name TSTInfo and carry its digest, the signing-certificate attribute names the signer's
 * certificate, the signature verifies, and the signer is a TSA (timeStamping as its only EKU)
 * chaining to a trust anchor at genTime. The first failing check is the one reported.
 */
export async function verifyTimeStampToken(
  input: Uint8Array | ParsedTimeStampToken,
  options: VerifyTimeStampOptions,
): Promise<TimeStampVerification> {
  if (!options.validator && !options.anchors)
    throw new PkiError('BAD_ARGUMENT', 'trust anchors or a validator are required');
  try {
    return await verify(input instanceof Uint8Array ? parseTimeStampToken(input) : input, options);
  } catch (err) {
    // A malformed token, or a malformed certificate inside it: a verdict, never a crash.
    if (err instanceof PkiError && err.code !== 'BAD_ARGUMENT')
      return { valid: false, code: 'TOKEN_MALFORMED', message: err.message, chain: [] };
    throw err;
  }
}

async function verify(
  token: ParsedTimeStampToken,
  options: VerifyTimeStampOptions,
): Promise<TimeStampVerification> {
  const info = token.tstInfo;
  const fail = (code: TimeStampCheckCode, message: string, extra: Partial<TimeStampVerification> = {}) => ({
    valid: false,
    code,
    message,
    token,
    tstInfo: info,
    chain: [],
    ...extra,
  });

  const hash = info.messageImprint.hash;
  if (!hash) return fail('UNSUPPORTED_HASH', `imprint hash ${info.messageImprint.algorithm} is not accepted`);
  if (options.data !== undefined || options.hashedMessage !== undefined) {
    const expected = options.hashedMessage ?? digestOf(hash, options.data!);
    if (!bytesEqual(expected, info.messageImprint.hashedMessage))
      return fail('IMPRINT_MISMATCH', 'the token is not over this data (message imprint differs)');
  }
  if (options.nonce && (!info.nonce || !bytesEqual(info.nonce, options.nonce)))
    return fail('NONCE_MISMATCH', 'the token does not carry the nonce of the request');
  if (options.policies && !options.policies.includes(info.policy))
    return fail('POLICY_NOT_ACCEPTED', `TSA policy ${info.policy} is not accepted`);

  const attrs = token.signedAttributes;
  if (attrs.contentType !== OID.ctTSTInfo)
    return fail('CONTENT_TYPE_MISMATCH', 'the signed contentType attribute is not id-ct-TSTInfo');
  const digestHash = NODE_HASH[token.digestAlgorithm];
  if (!digestHash)
    return fail('UNSUPPORTED_HASH', `digest algorithm ${token.digestAlgorithm} is not accepted`);
  const digest = new Uint8Array(createHash(digestHash).update(info.der).digest());
  if (!attrs.messageDigest || !bytesEqual(attrs.messageDigest, digest))
    return fail('MESSAGE_DIGEST_MISMATCH', 'the signed messageDigest is not the digest of TSTInfo');

  const candidates = [
    ...token.certificates,
    ...(options.tsaCertificates ?? []),
    ...(options.intermediates ?? []),
  ];
  const signer = candidates.find((c) => token.isSignerId(c));
  if (!signer)
    return fail('SIGNER_CERTIFICATE_MISSING', 'the TSA certificate is neither in the token nor known');
  const ess = attrs.signingCertificate;
  // RFC 3161 §2.4.2 / RFC 5816: the first ESSCertID identifies the signer's certificate.
  if (!ess || !ess.ids[0] || !essCertIdMatches(ess.ids[0], signer))
    return fail(
      'SIGNING_CERTIFICATE_MISMATCH',
      'the signing-certificate attribute does not name the signer',
      { signer },
    );
  if (!token.isSignedBy(signer))
    return fail('TOKEN_BAD_SIGNATURE', 'the token signature does not verify with the TSA certificate', {
      signer,
    });

  const time = options.time ?? info.genTime;
  let result;
  if (options.validator) {
    result = await options.validator.validate(signer, {
      purpose: 'timestamping',
      time,
      revocation: options.revocation ?? 'ocsp',
    });
  } else {
    const intermediates = [...(options.intermediates ?? []), ...token.certificates];
    result = buildChain(signer, options.anchors!, intermediates, time);
    if (result.valid) {
      const purpose = checkPurpose(signer, 'timestamping');
      if (purpose) result = { ...purpose, chain: result.chain };
    }
  }
  if (!result.valid)
    return fail(result.code, `TSA certificate: ${result.message}`, { signer, chain: result.chain });
  return {
    valid: true,
    code: 'OK',
    message: `time-stamp of ${info.genTime.toISOString()} by ${signer.subjectString}`,
    token,
    tstInfo: info,
    signer,
    chain: result.chain,
  };
}
