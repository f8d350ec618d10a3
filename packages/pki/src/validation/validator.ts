import { parseCrl } from '../crl/parse.js';
import { PkiError } from '../errors.js';
import { httpOcspFetch, type OcspFetch } from '../ocsp/client.js';
import { buildOcspRequest } from '../ocsp/request.js';
import { parseOcspResponse } from '../ocsp/response.js';
import { verifyOcspResponse } from '../ocsp/verify.js';
import type { Certificate } from '../x509/certificate.js';
import { buildChain } from './chain.js';
import { checkPolicies, checkPurpose, type Purpose } from './purpose.js';
import { fail, type RevocationInfo, type ValidationResult } from './result.js';

export type RevocationMode = 'ocsp' | 'crl' | 'ocsp-or-crl' | 'none';

export interface ValidatorOptions {
  anchors: readonly Certificate[];
  intermediates?: readonly Certificate[];
  trustedOcspResponders?: readonly Certificate[];
  now?: () => Date;
  ocspFetch?: OcspFetch;
  crlFetch?: (url: string) => Promise<Uint8Array>;
  /** Overrides the certificate's AIA OCSP URL (a relying party's configured responder). */
  ocspUrl?: string;
}

export interface ValidateOptions {
  purpose?: Purpose;
  /** Validation time; defaults to now. */
  time?: Date;
  revocation?: RevocationMode;
  /** Send a nonce with OCSP requests (default true). */
  ocspNonce?: boolean;
  allowedPolicies?: readonly string[];
  disallowedPolicies?: readonly string[];
}

/**
 * Certificate validation for relying parties: path to a trust anchor, validity, purpose,
 * policies, then revocation. Checks run in that order so the first failure is the one
 * reported: an expired certificate is EXPIRED whatever OCSP says.
 */
export class CertificateValidator {
  private readonly now: () => Date;
  private readonly ocspFetch: OcspFetch;

  constructor(private readonly options: ValidatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.ocspFetch = options.ocspFetch ?? httpOcspFetch();
  }

  async validate(cert: Certificate, opts: ValidateOptions = {}): Promise<ValidationResult> {
    const time = opts.time ?? this.now();
    const chain = buildChain(cert, this.options.anchors, this.options.intermediates ?? [], time);
    if (!chain.valid) return chain;
    const purposeFailure = opts.purpose ? checkPurpose(cert, opts.purpose) : undefined;
    if (purposeFailure) return { ...purposeFailure, chain: chain.chain };
    const policyFailure = checkPolicies(cert, opts.allowedPolicies, opts.disallowedPolicies);
    if (policyFailure) return { ...policyFailure, chain: chain.chain };
    const mode = opts.revocation ?? 'ocsp';
    if (mode === 'none' || chain.chain.length < 2) return chain;
    const issuer = chain.chain[1]!;
    let result: ValidationResult | undefined;
    if (mode !== 'crl') result = await this.checkOcsp(cert, issuer, opts.ocspNonce ?? true);
    if (mode === 'crl' || (mode === 'ocsp-or-crl' && result?.code === 'REVOCATION_UNAVAILABLE')) {
      result = await this.checkCrl(cert, issuer);
    }
    if (!result!.valid) return { ...result!, chain: chain.chain };
    return statusResult(result!.revocation!, chain.chain);
  }

  /** Ask the responder and verify its answer; returns the revocation info in the result. */
  async checkOcsp(cert: Certificate, issuer: Certificate, nonce = true): Promise<ValidationResult> {
    const url = this.options.ocspUrl ?? cert.ocspUrls[0];
    if (!url) return fail('REVOCATION_UNAVAILABLE', 'certificate names no OCSP responder', [cert]);
    const request = buildOcspRequest(cert, issuer, { nonce });
    let der: Uint8Array;
    try {
      der = await this.ocspFetch(url, request.der);
    } catch (err) {
      return fail('REVOCATION_UNAVAILABLE', (err as Error).message, [cert]);
    }
    let parsed;
    try {
      parsed = parseOcspResponse(der);
    } catch (err) {
      if (err instanceof PkiError) return fail('OCSP_BAD_RESPONSE', err.message, [cert]);
      throw err;
    }
    return verifyOcspResponse(parsed, {
      cert,
      issuer,
      now: this.now(),
      ...(request.nonce ? { nonce: request.nonce } : {}),
      ...(this.options.trustedOcspResponders
        ? { trustedResponders: this.options.trustedOcspResponders }
        : {}),
    });
  }

  async checkCrl(cert: Certificate, issuer: Certificate): Promise<ValidationResult> {
    const url = cert.crlUrls[0];
    if (!url || !this.options.crlFetch) return fail('REVOCATION_UNAVAILABLE', 'no CRL available', [cert]);
    let crl;
    try {
      crl = parseCrl(await this.options.crlFetch(url));
    } catch (err) {
      return fail('REVOCATION_UNAVAILABLE', `CRL unavailable: ${(err as Error).message}`, [cert]);
    }
    if (!crl.isSignedBy(issuer))
      return fail('CRL_INVALID', 'CRL signature does not verify with the issuer', [cert]);
    const now = this.now();
    if (crl.nextUpdate && crl.nextUpdate < now)
      return fail('CRL_STALE', 'CRL is past its nextUpdate', [cert]);
    const entry = crl.revoked.get(cert.serialHex);
    const revocation: RevocationInfo = {
      source: 'crl',
      status: entry ? { status: 'revoked', ...entry } : { status: 'good' },
      producedAt: crl.thisUpdate,
      thisUpdate: crl.thisUpdate,
      ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
      der: crl.der,
    };
    return { valid: true, code: 'OK', message: 'CRL checked', chain: [cert], revocation };
  }
}

function statusResult(revocation: RevocationInfo, chain: Certificate[]): ValidationResult {
  const s = revocation.status;
  if (s.status === 'good')
    return { valid: true, code: 'OK', message: `valid; ${revocation.source} status good`, chain, revocation };
  if (s.status === 'unknown')
    return fail('REVOCATION_UNKNOWN', 'the responder does not know this certificate', chain, revocation);
  if (s.reason === 'certificateHold') {
    return fail('SUSPENDED', `certificate suspended since ${s.revokedAt.toISOString()}`, chain, revocation);
  }
  return fail(
    'REVOKED',
    `certificate revoked at ${s.revokedAt.toISOString()} (${s.reason})`,
    chain,
    revocation,
  );
}
