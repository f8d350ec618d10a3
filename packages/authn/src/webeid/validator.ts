import { constants, verify, type KeyObject } from 'node:crypto';
import {
  buildChain,
  Certificate,
  checkPolicies,
  checkPurpose,
  PkiError,
  type ValidationCode,
} from '@riik/pki';
import { AuthnError, type AuthnErrorCode } from '../errors.js';
import { personOfCertificate, type PersonIdentity } from '../person.js';
import type { RevocationChecker } from './ocsp.js';
import {
  isWebEidAlgorithm,
  WEB_EID_ALGORITHMS,
  webEidSignedData,
  type WebEidAlgorithm,
} from './signed-data.js';
import { checkTokenFormat, decodeBase64Strict, parseAuthToken, type WebEidAuthToken } from './token.js';

/**
 * Mobile-ID certificate policies (SK's ESTEID-SK 2015 Mobile-ID and its variants) and riik's
 * Smart-ID policy: keys that are not on a card must not log in as a card.
 */
export const WEB_EID_DISALLOWED_POLICIES: readonly string[] = [
  '1.3.6.1.4.1.10015.1.3',
  '1.3.6.1.4.1.10015.1.3.1',
  '1.3.6.1.4.1.10015.1.3.2',
  '1.3.6.1.4.1.10015.1.3.3',
  '1.3.6.1.4.1.10015.17.1',
  '1.3.6.1.4.1.10015.17.2',
];

export interface WebEidValidatorOptions {
  /** Trusted CA certificates; each acts as a trust anchor (usually the issuing CAs). */
  trustedCaCertificates: readonly Certificate[];
  /** Certificate policies refused for login (default WEB_EID_DISALLOWED_POLICIES). */
  disallowedPolicies?: readonly string[];
  /** When set, the certificate must carry one of these policies (e.g. the ID-card documents). */
  allowedPolicies?: readonly string[];
  /** OCSP (or another revocation check); none when absent. */
  revocation?: RevocationChecker;
  now?: () => Date;
  /**
   * How many certificates to remember as decoded and chain-verified (default 1000; 0 turns it
   * off). Only time-independent results are kept: validity dates and revocation are checked at
   * every login, and so is the token's signature.
   */
  cacheSize?: number;
}

interface Verified {
  certificate: Certificate;
  chain: Certificate[];
  person?: PersonIdentity;
}

export interface ValidatedAuthToken {
  certificate: Certificate;
  /** Leaf first, trust anchor last. */
  chain: Certificate[];
  algorithm: WebEidAlgorithm;
  format: string;
  /** Who the certificate names (absent only for certificates without a personal identifier). */
  person?: PersonIdentity;
}

const VALIDITY_CODES: Partial<Record<ValidationCode, AuthnErrorCode>> = {
  EXPIRED: 'CERT_EXPIRED',
  NOT_YET_VALID: 'CERT_NOT_YET_VALID',
};

/**
 * Validate a Web eID authentication token for the origin and the challenge nonce the server
 * issued, in the order of the reference validators (web-eid-authtoken-validation-java):
 * parse → format → certificate → purpose → policy → validity → trust → revocation → signature.
 * Returns the validated certificate and person; throws AuthnError with the failing step's code.
 */
export class WebEidValidator {
  private readonly now: () => Date;
  private readonly verified = new Map<string, Verified>();

  constructor(private readonly options: WebEidValidatorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async validate(tokenText: unknown, origin: string, challengeNonce: string): Promise<ValidatedAuthToken> {
    const token = checkTokenFormat(parseAuthToken(tokenText));
    const time = this.now();
    let known = this.verified.get(token.unverifiedCertificate);
    // A remembered chain still needs every link valid now; otherwise validate afresh (and
    // report exactly what is wrong).
    if (known && !known.chain.every((c) => c.isValidAt(time))) known = undefined;
    if (known) {
      const issuer = known.chain[1];
      if (this.options.revocation && issuer) await this.options.revocation.check(known.certificate, issuer);
    } else {
      const certificate = decodeCertificate(token.unverifiedCertificate);
      const result = await validateAuthCertificate(certificate, { ...this.options, now: () => time });
      known = { certificate, ...result };
      this.remember(token.unverifiedCertificate, known);
    }
    const algorithm = verifyTokenSignature(token, known.certificate, origin, challengeNonce);
    const { certificate, chain, person } = known;
    return { certificate, chain, algorithm, format: token.format, ...(person ? { person } : {}) };
  }

  private remember(key: string, value: Verified): void {
    const size = this.options.cacheSize ?? 1000;
    if (size <= 0) return;
    if (this.verified.size >= size) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, value);
  }

  /** Only the signature (no trust decision): for tokens from cards whose CA is not configured. */
  static verifySignatureOnly(tokenText: unknown, origin: string, challengeNonce: string): WebEidAlgorithm {
    const token = checkTokenFormat(parseAuthToken(tokenText));
    return verifyTokenSignature(
      token,
      decodeCertificate(token.unverifiedCertificate),
      origin,
      challengeNonce,
    );
  }
}

/** Run a step that reads certificate fields lazily: a malformed extension is that step's failure. */
function pkiStep<T>(code: AuthnErrorCode, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof PkiError) throw new AuthnError(code, err.message, { cause: err });
    throw err;
  }
}

/**
 * The certificate steps of login, shared by ID-card, Mobile-ID and Smart-ID: purpose
 * (digitalSignature, clientAuth) → policies → validity → chain to a trusted CA → revocation.
 */
export async function validateAuthCertificate(
  certificate: Certificate,
  options: WebEidValidatorOptions,
): Promise<{ chain: Certificate[]; person?: PersonIdentity }> {
  const purpose = pkiStep('CERT_DECODING', () => checkPurpose(certificate, 'auth'));
  if (purpose) throw new AuthnError('CERT_PURPOSE', purpose.message);
  const policy = pkiStep('CERT_DECODING', () =>
    checkPolicies(
      certificate,
      options.allowedPolicies,
      options.disallowedPolicies ?? WEB_EID_DISALLOWED_POLICIES,
    ),
  );
  if (policy) throw new AuthnError('CERT_POLICY', policy.message);
  const time = (options.now ?? (() => new Date()))();
  if (time < certificate.notBefore)
    throw new AuthnError('CERT_NOT_YET_VALID', 'the certificate is not yet valid');
  if (time > certificate.notAfter) throw new AuthnError('CERT_EXPIRED', 'the certificate has expired');
  const chain = pkiStep('CERT_UNTRUSTED', () =>
    buildChain(certificate, options.trustedCaCertificates, [], time),
  );
  if (!chain.valid) throw new AuthnError(VALIDITY_CODES[chain.code] ?? 'CERT_UNTRUSTED', chain.message);
  if (options.revocation) {
    const issuer = chain.chain[1];
    if (!issuer) throw new AuthnError('CERT_UNTRUSTED', 'a trusted CA certificate cannot log in');
    await options.revocation.check(certificate, issuer);
  }
  const person = personOfCertificate(certificate);
  return { chain: chain.chain, ...(person ? { person } : {}) };
}

export function decodeCertificate(b64: string): Certificate {
  const der = decodeBase64Strict(b64);
  if (!der || der.length === 0)
    throw new AuthnError('CERT_DECODING', "'unverifiedCertificate' is not base64");
  try {
    return Certificate.fromDer(der);
  } catch (err) {
    if (err instanceof PkiError)
      throw new AuthnError('CERT_DECODING', 'the certificate cannot be decoded', { cause: err });
    throw err;
  }
}

function keyMatches(key: KeyObject, algorithm: WebEidAlgorithm): boolean {
  const spec = WEB_EID_ALGORITHMS[algorithm];
  const type = key.asymmetricKeyType;
  if (spec.key === 'ec') return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === spec.curve;
  // An rsaEncryption key may make PSS signatures; an RSASSA-PSS-only key may not make PKCS#1 ones.
  if (spec.key === 'rsa-pss') return type === 'rsa' || type === 'rsa-pss';
  return type === 'rsa';
}

/** The signature step: algorithm allowed and matching the key, signature over the signed data. */
function verifyTokenSignature(
  token: WebEidAuthToken,
  certificate: Certificate,
  origin: string,
  challengeNonce: string,
): WebEidAlgorithm {
  const algorithm = token.algorithm;
  if (!isWebEidAlgorithm(algorithm))
    throw new AuthnError('ALGORITHM_UNSUPPORTED', 'unsupported signature algorithm');
  const signature = decodeBase64Strict(token.signature);
  if (!signature || signature.length === 0)
    throw new AuthnError('SIGNATURE_INVALID', 'the signature is not base64');
  let key: KeyObject;
  try {
    key = certificate.publicKey; // decoded once per Certificate object
  } catch (err) {
    throw new AuthnError('CERT_DECODING', 'the certificate key cannot be used', { cause: err });
  }
  if (!keyMatches(key, algorithm)) {
    throw new AuthnError('ALGORITHM_UNSUPPORTED', `the certificate key cannot make ${algorithm} signatures`);
  }
  if (!challengeNonce) throw new AuthnError('SIGNATURE_INVALID', 'no challenge nonce to check against');
  const spec = WEB_EID_ALGORITHMS[algorithm];
  const data = webEidSignedData(algorithm, origin, challengeNonce);
  let ok: boolean;
  try {
    ok = verify(
      spec.hash,
      data,
      spec.key === 'ec'
        ? { key, dsaEncoding: 'ieee-p1363' }
        : spec.key === 'rsa-pss'
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : { key, padding: constants.RSA_PKCS1_PADDING },
      signature,
    );
  } catch {
    ok = false;
  }
  if (!ok) throw new AuthnError('SIGNATURE_INVALID', 'the token signature does not verify');
  return algorithm;
}
