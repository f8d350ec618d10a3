import type { QualifyingProperties, SignatureLevel } from './model.js';

/**
 * BDOC 2.1 time-mark policies: the current one and the BDOC 2.0 one older libdigidocpp wrote.
 * A signature under one of them with an OCSP response and no SignatureTimeStamp is a time-mark
 * (BDOC-TM) signature: the OCSP response's producedAt is its proof of time.
 */
export const BDOC_TM_POLICY_OIDS: readonly string[] = [
  '1.3.6.1.4.1.10015.1000.3.2.1',
  '1.3.6.1.4.1.10015.1000.3.1.1',
];

/** The baseline level the unsigned properties reach (EN 319 132-1 clause 6), or TM. */
export function signatureLevel(qp: QualifyingProperties): SignatureLevel {
  const unsigned = qp.unsignedProperties;
  const oid = qp.signedProperties.policy?.oid;
  if (unsigned.signatureTimeStamps.length === 0) {
    return oid && BDOC_TM_POLICY_OIDS.includes(oid) && unsigned.ocspValues.length > 0 ? 'TM' : 'B';
  }
  if (unsigned.ocspValues.length === 0 && unsigned.crlValues.length === 0) return 'T';
  return unsigned.archiveTimeStamps.length > 0 ? 'LTA' : 'LT';
}
