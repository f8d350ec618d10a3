import { bytesEqual } from '@riik/core';
import {
  buildOcspRequest,
  encodeNonce,
  httpOcspFetch,
  parseOcspResponse,
  PkiError,
  verifyOcspResponse,
  type Certificate,
  type OcspFetch,
  type ParsedOcspResponse,
} from '@riik/pki';
import { AuthnError } from '../errors.js';

/** Checks that a certificate is not revoked; throws AuthnError CERT_REVOKED / CERT_SUSPENDED / OCSP_FAILED. */
export interface RevocationChecker {
  check(cert: Certificate, issuer: Certificate): Promise<void>;
}

export interface OcspEvaluationOptions {
  cert: Certificate;
  issuer: Certificate;
  now: Date;
  /** The nonce sent; the response must echo it. */
  nonce?: Uint8Array;
  /** Designated responders trusted directly (besides responders the issuer certified). */
  trustedResponders?: readonly Certificate[];
  /** Allowed clock difference (Web eID default 15 min). */
  skewMs?: number;
  /** Oldest acceptable thisUpdate beyond the skew (Web eID default 2 min). */
  maxAgeMs?: number;
}

const DEFAULT_SKEW_MS = 15 * 60_000;
const DEFAULT_MAX_AGE_MS = 2 * 60_000;

/**
 * Decide what an OCSP response says about `cert`, in the order the Web eID validators use:
 * response status, exactly one SingleResponse, responder signature and authority, freshness,
 * then the certificate status (revoked is reported before a nonce mismatch, as it is the more
 * useful truth), and last the nonce.
 */
export function evaluateOcspResponse(der: Uint8Array, options: OcspEvaluationOptions): void {
  let parsed: ParsedOcspResponse;
  try {
    parsed = parseOcspResponse(der);
  } catch (err) {
    if (err instanceof PkiError)
      throw new AuthnError('OCSP_FAILED', `OCSP response: ${err.message}`, { cause: err });
    throw err;
  }
  if (parsed.status !== 'successful' || !parsed.basic) {
    throw new AuthnError('OCSP_FAILED', `the OCSP responder answered ${parsed.status}`);
  }
  if (parsed.basic.responses.length !== 1) {
    throw new AuthnError(
      'OCSP_FAILED',
      `an OCSP response must hold one answer, not ${parsed.basic.responses.length}`,
    );
  }
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  let result: ReturnType<typeof verifyOcspResponse>;
  try {
    result = verifyOcspResponse(parsed, {
      cert: options.cert,
      issuer: options.issuer,
      now: options.now,
      skewMs,
      maxAgeMs,
      ...(options.trustedResponders ? { trustedResponders: options.trustedResponders } : {}),
    });
  } catch (err) {
    // e.g. a responder certificate whose key cannot be decoded
    if (err instanceof PkiError)
      throw new AuthnError('OCSP_FAILED', `OCSP response: ${err.message}`, { cause: err });
    throw err;
  }
  if (!result.valid) throw new AuthnError('OCSP_FAILED', `OCSP: ${result.message}`);
  const revocation = result.revocation!;
  if (revocation.responder && !revocation.responder.isValidAt(options.now)) {
    throw new AuthnError('OCSP_FAILED', 'the OCSP responder certificate is not valid now');
  }
  const oldest = options.now.getTime() - skewMs - maxAgeMs;
  if (revocation.thisUpdate.getTime() < oldest) {
    throw new AuthnError('OCSP_FAILED', 'the OCSP response is too old');
  }
  const status = revocation.status;
  if (status.status === 'revoked') {
    if (status.reason === 'certificateHold') {
      throw new AuthnError(
        'CERT_SUSPENDED',
        `the certificate is suspended since ${status.revokedAt.toISOString()}`,
      );
    }
    throw new AuthnError('CERT_REVOKED', `the certificate was revoked at ${status.revokedAt.toISOString()}`);
  }
  if (status.status === 'unknown') {
    throw new AuthnError('CERT_REVOKED', 'the OCSP responder does not know the certificate');
  }
  if (options.nonce) {
    const echoed = parsed.basic.nonceExtnValue;
    if (!echoed || !bytesEqual(echoed, encodeNonce(options.nonce))) {
      throw new AuthnError('OCSP_FAILED', 'the OCSP response does not echo our nonce');
    }
  }
}

export interface OcspCheckerOptions {
  fetch?: OcspFetch;
  /** A configured responder URL instead of the certificate's AIA. */
  url?: string;
  trustedResponders?: readonly Certificate[];
  now?: () => Date;
  /**
   * How long a `good` answer may be reused for the same certificate (default 0: every login
   * asks the responder, with a fresh nonce). Revoked and failed answers are never cached.
   */
  cacheMs?: number;
  /** Most cached answers kept. */
  maxCached?: number;
}

/** OCSP with a nonce per request, as TARA asks SK's responder at every ID-card login. */
export class OcspRevocationChecker implements RevocationChecker {
  private readonly fetch: OcspFetch;
  private readonly now: () => Date;
  private readonly cache = new Map<string, number>();

  constructor(private readonly options: OcspCheckerOptions = {}) {
    this.fetch = options.fetch ?? httpOcspFetch();
    this.now = options.now ?? (() => new Date());
  }

  async check(cert: Certificate, issuer: Certificate): Promise<void> {
    const key = `${issuer.sha256Hex}:${cert.serialHex}`;
    const cacheMs = this.options.cacheMs ?? 0;
    const now = this.now();
    const cachedAt = this.cache.get(key);
    if (cachedAt !== undefined && now.getTime() - cachedAt < cacheMs) return;
    const url = this.options.url ?? cert.ocspUrls[0];
    if (!url) throw new AuthnError('OCSP_FAILED', 'the certificate names no OCSP responder');
    const request = buildOcspRequest(cert, issuer, { nonce: true });
    let der: Uint8Array;
    try {
      der = await this.fetch(url, request.der);
    } catch (err) {
      throw new AuthnError('OCSP_FAILED', `the OCSP responder is unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    evaluateOcspResponse(der, {
      cert,
      issuer,
      now: this.now(),
      ...(request.nonce ? { nonce: request.nonce } : {}),
      ...(this.options.trustedResponders ? { trustedResponders: this.options.trustedResponders } : {}),
    });
    if (cacheMs > 0) {
      if (this.cache.size >= (this.options.maxCached ?? 100_000))
        this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, now.getTime());
    }
  }
}
