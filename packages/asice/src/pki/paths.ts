/**
 * Certification paths to the trust store: `@riik/pki` buildChain with the anchors trusted for a
 * role at a time, and the certificates a signature carries (plus the store's own) as the pool of
 * intermediates.
 */
import { PkiError } from '@riik/pki/errors';
import { buildChain } from '@riik/pki/validation/chain';
import type { ValidationResult } from '@riik/pki/validation/result';
import type { Certificate } from '@riik/pki/x509/certificate';
import type { TrustAnchor, TrustRole, TrustStore } from '../trust/trust-store.js';

export interface TrustedPath {
  readonly result: ValidationResult;
  /** The anchor the path ends in, when it was found. */
  readonly anchor?: TrustAnchor;
}

export function trustedPath(
  leaf: Certificate,
  role: TrustRole,
  time: Date,
  trust: TrustStore,
  pool: readonly Certificate[],
): TrustedPath {
  const anchors = trust.anchors(role, time);
  let result: ValidationResult;
  try {
    result = buildChain(
      leaf,
      anchors.map((a) => a.certificate),
      pool,
      time,
    );
  } catch (err) {
    // a certificate on the way with an algorithm or key node:crypto cannot use: no path through it
    if (!(err instanceof PkiError)) throw err;
    result = { valid: false, code: 'CHAIN_INVALID', message: err.message, chain: [leaf] };
  }
  const last = result.chain[result.chain.length - 1];
  const anchor = result.valid && last ? anchors.find((a) => a.certificate.equals(last)) : undefined;
  return { result, ...(anchor ? { anchor } : {}) };
}

/** Certificates without repeats (by DER). */
export function uniqueCertificates(list: Iterable<Certificate>): Certificate[] {
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const c of list) {
    const key = c.sha256Hex;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** The issuer of `cert` among `pool`: same name, and its key verifies the certificate. */
export function findIssuer(cert: Certificate, pool: readonly Certificate[]): Certificate | undefined {
  const issuerDer = Buffer.from(cert.issuerDer);
  return pool.find((c) => issuerDer.equals(Buffer.from(c.subjectDer)) && safe(() => cert.isSignedBy(c)));
}

function safe(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
