/**
 * The signer's certificate at the best-signature-time: a path to a trusted certification
 * authority (valid at that time, so an expired certificate with an earlier time-stamp stays
 * valid, as in DigiDoc), nonRepudiation key usage (libdigidocpp refuses a signature made with
 * any other key), and qualification: an EU qualified certificate whose key lives on a qualified
 * device, from the certificate's QC statements and policies and the trusted list's qualifiers
 * (libdigidocpp's X509CertStore::verify rules). Not qualified is a warning: the signature is
 * still a valid advanced electronic signature (DSS reports it the same way).
 */
import type { Certificate } from '@riik/pki';
import { finding, type Finding } from '../validation/findings.js';
import type { Qualification, TrustAnchor, TrustStore } from '../trust/trust-store.js';
import { trustedPath } from './paths.js';

/** ETSI OIDs for qualification (EN 319 412-5 statements, EN 319 411-2 policies). */
const QC = {
  compliance: '0.4.0.1862.1.1',
  sscd: '0.4.0.1862.1.4',
  typeEseal: '0.4.0.1862.1.6.2',
  qcpPublicWithSscd: '0.4.0.1456.1.1',
  qcpNatural: '0.4.0.194112.1.0',
  qcpLegal: '0.4.0.194112.1.1',
  qcpNaturalQscd: '0.4.0.194112.1.2',
  qcpLegalQscd: '0.4.0.194112.1.3',
};

export interface SignerCheck {
  readonly findings: Finding[];
  /** Leaf first, anchor last; empty when no path was found. */
  readonly chain: readonly Certificate[];
  readonly qualified: boolean;
}

export function checkSigner(
  signer: Certificate,
  time: Date,
  trust: TrustStore,
  pool: readonly Certificate[],
): SignerCheck {
  const findings: Finding[] = [];
  const path = trustedPath(signer, 'ca', time, trust, pool);
  const { result } = path;
  if (!result.valid) {
    const leafTime =
      result.chain.length <= 1 && (result.code === 'EXPIRED' || result.code === 'NOT_YET_VALID');
    findings.push(
      finding(
        leafTime ? 'SIGNER_CERTIFICATE_NOT_VALID' : 'SIGNER_CERTIFICATE_UNTRUSTED',
        `${result.message} (at ${time.toISOString()})`,
      ),
    );
  }
  const keyUsage = safeKeyUsage(signer);
  if (!keyUsage?.includes('nonRepudiation'))
    findings.push(finding('SIGNER_CERTIFICATE_KEY_USAGE', `key usage ${keyUsage?.join(', ') ?? '(none)'}`));
  const qualified = isQualified(signer, path.anchor);
  if (result.valid && !qualified) findings.push(finding('SIGNER_NOT_QUALIFIED', signer.subjectString));
  return { findings, chain: result.valid ? result.chain : [], qualified };
}

function safeKeyUsage(cert: Certificate): string[] | undefined {
  try {
    return cert.keyUsage;
  } catch {
    return undefined;
  }
}

/** (QC compliant and on a QSCD) or an e-seal certificate, after the trusted list's qualifiers. */
export function isQualified(cert: Certificate, anchor: TrustAnchor | undefined): boolean {
  let policies: string[];
  let statements: string[];
  let types: string[];
  try {
    policies = cert.policies;
    statements = cert.qcStatements;
    types = cert.qcTypes;
  } catch {
    return false;
  }
  let compliant = statements.includes(QC.compliance);
  let qscd =
    statements.includes(QC.sscd) ||
    [QC.qcpPublicWithSscd, QC.qcpNaturalQscd, QC.qcpLegalQscd].some((p) => policies.includes(p));
  let eseal = policies.includes(QC.qcpLegal) || types.includes(QC.typeEseal);
  for (const q of anchor?.status?.qualifications ?? []) {
    if (!applies(q, cert, policies)) continue;
    for (const name of q.qualifiers) {
      if (name === 'QCStatement' || name === 'QCForESig') compliant = true;
      else if (name === 'NotQualified') compliant = false;
      else if (name === 'QCWithSSCD' || name === 'QCWithQSCD') qscd = true;
      else if (name === 'QCNoSSCD' || name === 'QCNoQSCD') qscd = false;
      else if (name === 'QCForLegalPerson' || name === 'QCForESeal') eseal = true;
    }
  }
  return (compliant && qscd) || eseal;
}

function applies(q: Qualification, cert: Certificate, policies: readonly string[]): boolean {
  const usage = new Set<string>(safeKeyUsage(cert) ?? []);
  const policyMatch = (set: readonly string[]) => set.every((p) => policies.includes(p));
  const usageMatch = (bits: Qualification['keyUsage'][number]) =>
    Object.entries(bits).every(([bit, value]) => usage.has(bit) === value);
  const results = [...q.policySets.map(policyMatch), ...q.keyUsage.map(usageMatch)];
  if (q.assert === 'all') return results.every(Boolean);
  if (q.assert === 'none') return !results.some(Boolean);
  return results.some(Boolean);
}
