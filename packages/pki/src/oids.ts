/**
 * Object identifiers riik uses, named as in their standards. Document-type policies follow the
 * numbering of SK ID Solutions' ESTEID2018 profile (see docs/pki.md).
 */
export const OID = {
  // algorithms (RFC 5758, RFC 8017, RFC 8410)
  ecPublicKey: '1.2.840.10045.2.1',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ed25519: '1.3.101.112',
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // names (X.520, RFC 5280)
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  givenName: '2.5.4.42',
  serialNumber: '2.5.4.5',
  organizationIdentifier: '2.5.4.97',
  localityName: '2.5.4.7',

  // certificate extensions (RFC 5280)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  anyPolicy: '2.5.29.32.0',

  // access methods and key purposes
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  kpServerAuth: '1.3.6.1.5.5.7.3.1',
  kpClientAuth: '1.3.6.1.5.5.7.3.2',
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOCSPSigning: '1.3.6.1.5.5.7.3.9',
  qtCps: '1.3.6.1.5.5.7.2.1',

  // OCSP (RFC 6960)
  pkixOcspBasic: '1.3.6.1.5.5.7.48.1.1',
  pkixOcspNonce: '1.3.6.1.5.5.7.48.1.2',
  pkixOcspNocheck: '1.3.6.1.5.5.7.48.1.5',

  // CMS (RFC 5652), ESS (RFC 2634, RFC 5035), CMS algorithm protection (RFC 6211)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtection: '1.2.840.113549.1.9.52',

  // Time-stamp protocol (RFC 3161)
  ctTSTInfo: '1.2.840.113549.1.9.16.1.4',
  /** ETSI EN 319 421 best practices time-stamp policy (BTSP), as SK's TSA asserts. */
  policyEtsiBtsp: '0.4.0.2023.1.1',

  // ETSI EN 319 412-5 QC statements
  qcsQcCompliance: '0.4.0.1862.1.1',
  qcsQcSSCD: '0.4.0.1862.1.4',
  qcsQcPDS: '0.4.0.1862.1.5',
  qcsQcType: '0.4.0.1862.1.6',
  qctEsign: '0.4.0.1862.1.6.1',
  qctEseal: '0.4.0.1862.1.6.2',
  // ETSI EN 319 411 policies
  policyNcpPlus: '0.4.0.2042.1.2',
  policyQcpNQscd: '0.4.0.194112.1.2',
  policyQcpLQscd: '0.4.0.194112.1.3',
} as const;

/** ESTEID2018-style document-type policies: which document a person certificate lives on. */
export const DOCUMENT_POLICY = {
  'id-card': { auth: '1.3.6.1.4.1.51361.1.2.1', sign: '1.3.6.1.4.1.51361.1.1.1' },
  'digi-id': { auth: '1.3.6.1.4.1.51361.1.2.2', sign: '1.3.6.1.4.1.51361.1.1.2' },
  'e-resident': { auth: '1.3.6.1.4.1.51361.1.2.3', sign: '1.3.6.1.4.1.51361.1.1.3' },
  // Keys in the (simulated) Mobile-ID SIM and Smart-ID app: SK's Mobile-ID and qualified Smart-ID
  // policies, which Web eID refuses for ID-card login and the Mobile-ID / Smart-ID flows require.
  'mobile-id': { auth: '1.3.6.1.4.1.10015.1.3', sign: '1.3.6.1.4.1.10015.1.3' },
  'smart-id': { auth: '1.3.6.1.4.1.10015.17.2', sign: '1.3.6.1.4.1.10015.17.2' },
} as const;

export type DocumentType = keyof typeof DOCUMENT_POLICY;

/** The document type a certificate's policies name, if any. */
export function documentTypeOfPolicies(policies: readonly string[]): DocumentType | undefined {
  for (const [type, p] of Object.entries(DOCUMENT_POLICY) as Array<
    [DocumentType, { auth: string; sign: string }]
  >) {
    if (policies.includes(p.auth) || policies.includes(p.sign)) return type;
  }
  return undefined;
}
