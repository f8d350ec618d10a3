import { OID } from '../oids.js';
import type { Certificate, KeyUsageName } from '../x509/certificate.js';
import { fail, type ValidationResult } from './result.js';

/**
 * What a certificate is being used for. Each purpose names the key usage and extended key
 * usage it requires; absence of an EKU extension means "any" (RFC 5280 §4.2.1.12) except where
 * a purpose requires one explicitly.
 */
export type Purpose =
  'auth' | 'sign' | 'ocsp-signing' | 'timestamping' | 'xroad-auth' | 'xroad-sign' | 'tls-server';

interface Rule {
  keyUsage: KeyUsageName[];
  eku?: string;
  ekuRequired?: boolean;
}

const RULES: Record<Purpose, Rule> = {
  auth: { keyUsage: ['digitalSignature'], eku: OID.kpClientAuth },
  sign: { keyUsage: ['nonRepudiation'] },
  'ocsp-signing': { keyUsage: ['digitalSignature'], eku: OID.kpOCSPSigning, ekuRequired: true },
  timestamping: { keyUsage: ['digitalSignature'], eku: OID.kpTimeStamping, ekuRequired: true },
  'xroad-auth': { keyUsage: ['digitalSignature'], eku: OID.kpClientAuth },
  'xroad-sign': { keyUsage: ['nonRepudiation'] },
  'tls-server': { keyUsage: ['digitalSignature'], eku: OID.kpServerAuth },
};

export function checkPurpose(cert: Certificate, purpose: Purpose): ValidationResult | undefined {
  const rule = RULES[purpose];
  const ku = cert.keyUsage;
  if (!ku || !rule.keyUsage.every((u) => ku.includes(u))) {
    return fail(
      'WRONG_KEY_USAGE',
      `certificate key usage does not allow ${purpose} (needs ${rule.keyUsage.join(', ')})`,
      [cert],
    );
  }
  const eku = cert.extendedKeyUsage;
  if (rule.eku && (eku ? !eku.includes(rule.eku) : rule.ekuRequired)) {
    return fail('WRONG_EXTENDED_KEY_USAGE', `certificate extended key usage does not allow ${purpose}`, [
      cert,
    ]);
  }
  if (purpose === 'timestamping' && eku && eku.length !== 1) {
    // RFC 3161 §2.3: the TSA certificate has exactly one extended key usage, timeStamping.
    return fail('WRONG_EXTENDED_KEY_USAGE', 'a TSA certificate must have timeStamping as its only EKU', [
      cert,
    ]);
  }
  return undefined;
}

export function checkPolicies(
  cert: Certificate,
  allowed: readonly string[] | undefined,
  disallowed: readonly string[] | undefined,
): ValidationResult | undefined {
  const policies = cert.policies;
  const banned = policies.find((p) => disallowed?.includes(p));
  if (banned) return fail('POLICY_NOT_ALLOWED', `certificate policy ${banned} is not allowed here`, [cert]);
  if (allowed && !policies.some((p) => allowed.includes(p))) {
    return fail('POLICY_NOT_ALLOWED', `certificate has none of the required policies`, [cert]);
  }
  return undefined;
}
