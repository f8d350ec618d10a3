import { bytesEqual } from '@riik/core/encoding';
import type { Certificate } from '../x509/certificate.js';
import { fail, type ValidationResult } from './result.js';

const MAX_DEPTH = 6;

function issuedBy(cert: Certificate, candidate: Certificate): boolean {
  if (!bytesEqual(cert.issuerDer, candidate.subjectDer)) return false;
  const aki = cert.authorityKeyIdentifier;
  const ski = candidate.subjectKeyIdentifier;
  if (aki && ski && !bytesEqual(aki, ski)) return false;
  return true;
}

function isAnchor(cert: Certificate, anchors: readonly Certificate[]): boolean {
  return anchors.some((a) => a.equals(cert));
}

/**
 * Build a path from `leaf` to one of `anchors` through `intermediates`, checking signatures,
 * CA flags, keyCertSign, path lengths and validity at `time` (RFC 5280 §6.1, without policy
 * mapping or name constraints, which riik's hierarchies do not use). A trusted certificate is
 * a trust anchor wherever it sits: only the anchor actually used is checked for validity.
 */
export function buildChain(
  leaf: Certificate,
  anchors: readonly Certificate[],
  intermediates: readonly Certificate[],
  time: Date,
): ValidationResult {
  const chain: Certificate[] = [leaf];
  let current = leaf;
  if (!leaf.isValidAt(time)) {
    return time < leaf.notBefore
      ? fail('NOT_YET_VALID', `certificate is not valid before ${leaf.notBefore.toISOString()}`, chain)
      : fail('EXPIRED', `certificate expired at ${leaf.notAfter.toISOString()}`, chain);
  }
  if (isAnchor(leaf, anchors))
    return { valid: true, code: 'OK', message: 'certificate is itself trusted', chain };
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const candidates = [...anchors, ...intermediates].filter((c) => issuedBy(current, c));
    if (candidates.length === 0) {
      return fail('UNTRUSTED', `no trusted issuer found for ${current.subjectString}`, chain);
    }
    const issuer = candidates.find((c) => current.isSignedBy(c));
    if (!issuer)
      return fail(
        'BAD_SIGNATURE',
        `signature of ${current.subjectString} does not verify with its issuer`,
        chain,
      );
    chain.push(issuer);
    if (!issuer.isValidAt(time)) {
      return fail(
        time < issuer.notBefore ? 'NOT_YET_VALID' : 'EXPIRED',
        `issuer ${issuer.subjectString} is not valid at ${time.toISOString()}`,
        chain,
      );
    }
    const bc = issuer.basicConstraints;
    const ku = issuer.keyUsage;
    if (!bc.ca) return fail('CHAIN_INVALID', `${issuer.subjectString} is not a CA`, chain);
    if (ku && !ku.includes('keyCertSign'))
      return fail('CHAIN_INVALID', `${issuer.subjectString} may not sign certificates`, chain);
    // Intermediates below this issuer in the path (self-issued ones do not count, §6.1.4(l)).
    const below = chain.slice(1, -1).filter((c) => !c.isSelfIssued).length;
    if (bc.pathLength !== undefined && below > bc.pathLength) {
      return fail('CHAIN_INVALID', `path length constraint of ${issuer.subjectString} exceeded`, chain);
    }
    if (isAnchor(issuer, anchors))
      return { valid: true, code: 'OK', message: 'chain to a trust anchor', chain };
    current = issuer;
  }
  return fail('CHAIN_INVALID', 'certificate chain is too long', chain);
}
