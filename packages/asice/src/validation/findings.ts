/**
 * Validation findings: what a check concluded, with a stable code and a sentence for people.
 *
 * The severity says what the finding does to a verdict:
 *   invalid        a definite failure (digest or signature mismatch, broken container structure)
 *   indeterminate  validity cannot be established (data not found, unknown algorithm, check not run)
 *   unsupported    a signature form riik does not validate (time-mark, below LT, CAdES)
 *   warning        valid, but worth telling (weak digest, empty file, non-canonical mimetype)
 *   info           for the record only
 */

export type Severity = 'invalid' | 'indeterminate' | 'unsupported' | 'warning' | 'info';

export const FINDINGS = {
  // container structure
  MIMETYPE_NOT_FIRST: ['warning', 'the mimetype entry is not the first entry of the ZIP'],
  MIMETYPE_COMPRESSED: ['warning', 'the mimetype entry is compressed'],
  MIMETYPE_EXTRA_FIELD: ['warning', 'the mimetype entry has a ZIP extra field'],
  MIMETYPE_NOT_EXACT: [
    'warning',
    'the mimetype content has extra characters (byte order mark, whitespace, letter case)',
  ],
  MANIFEST_MISSING: ['invalid', 'the container has no META-INF/manifest.xml'],
  MANIFEST_ROOT_MEDIA_TYPE: ['warning', 'the manifest does not list the container media type under "/"'],
  MANIFEST_FILE_MISSING: ['invalid', 'the manifest lists a file the container does not hold'],
  DATA_FILE_NOT_IN_MANIFEST: ['invalid', 'a data file is not listed in the manifest'],
  DATA_FILE_NOT_SIGNED: ['invalid', 'a data file is not covered by a signature'],
  MANIFEST_FILE_NOT_SIGNED: ['invalid', 'a file listed in the manifest is not referenced by a signature'],
  SIGNED_FILE_NOT_IN_MANIFEST: ['invalid', 'a signature references a file the manifest does not list'],
  MANIFEST_MEDIA_TYPE_MISMATCH: [
    'invalid',
    'the manifest and a signature give different media types for a file',
  ],
  DUPLICATE_SIGNATURE_FILE: ['invalid', 'two signature files have the same name'],
  ASICS_MULTIPLE_SIGNATURE_FILES: ['invalid', 'an ASiC-S container may hold only one signature file'],
  EMPTY_DATA_FILE: ['warning', 'a data file is empty'],
  CASE_VARIANT_FILE_NAMES: ['warning', 'data file names differ only in letter case'],
  CADES_SIGNATURE: ['unsupported', 'CAdES signatures in ASiC containers are not supported'],
  UNSUPPORTED_ENTRY: ['unsupported', 'the container holds an entry riik does not evaluate'],
  // signature form
  SIGNATURE_LEVEL_TM: ['unsupported', 'BDOC time-mark (TM) signatures are not supported'],
  SIGNATURE_LEVEL_B: ['unsupported', 'the signature has no signature time-stamp (XAdES B level)'],
  SIGNATURE_LEVEL_T: ['unsupported', 'the signature has no revocation values (XAdES T level)'],
  SIGNATURE_ID_MISSING: ['warning', 'the ds:Signature element has no Id'],
  QUALIFYING_PROPERTIES_TARGET_MISMATCH: [
    'warning',
    'QualifyingProperties Target does not point at its signature',
  ],
  POLICY_IMPLIED: ['warning', 'signature created with an implied policy, additional conditions may apply'],
  UNEVALUATED_PROPERTY: ['info', 'the signature holds a property riik does not evaluate'],
  DATA_OBJECT_FORMAT_MISSING: ['warning', 'a data reference has no DataObjectFormat with a MimeType'],
  // XMLDSig core
  DUPLICATE_ID: ['invalid', 'the signature document uses the same Id on more than one element'],
  SIGNED_PROPERTIES_REFERENCE_MISSING: ['invalid', 'SignedInfo has no reference to the SignedProperties'],
  MULTIPLE_SIGNED_PROPERTIES: ['invalid', 'SignedInfo references SignedProperties more than once'],
  SIGNED_PROPERTIES_REFERENCE_MISMATCH: [
    'invalid',
    "the SignedProperties reference does not resolve to this signature's SignedProperties",
  ],
  SIGNED_PROPERTIES_DIGEST_MISMATCH: ['invalid', 'the SignedProperties digest does not match'],
  REFERENCE_URI_MISSING: ['invalid', 'a data reference has no URI'],
  REFERENCE_UNSUPPORTED: ['invalid', 'a reference of a kind DigiDoc signatures do not use'],
  TRANSFORM_NOT_ALLOWED: ['invalid', 'a reference uses a transform that is not allowed'],
  SIGNED_DATA_NOT_FOUND: ['indeterminate', 'the referenced data file is not in the container'],
  REFERENCE_DIGEST_MISMATCH: ['invalid', 'the data file digest does not match the reference'],
  UNSUPPORTED_ALGORITHM: ['indeterminate', 'an algorithm riik does not accept'],
  WEAK_ALGORITHM: ['warning', 'an algorithm no longer considered reliable (SHA-1)'],
  SIGNING_CERTIFICATE_NOT_FOUND: ['indeterminate', 'the signing certificate cannot be identified'],
  SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH: [
    'warning',
    'the signing certificate does not match the issuer and serial number in SigningCertificate',
  ],
  KEY_ALGORITHM_MISMATCH: ['invalid', "the signature algorithm does not fit the signing certificate's key"],
  SIGNATURE_VALUE_INVALID: ['invalid', 'the signature value does not verify with the signing certificate'],
  // time-stamps of a time-stamped ASiC-S container
  ARCHIVE_MANIFEST_TOKEN_MISSING: [
    'invalid',
    'an ASiCArchiveManifest names a time-stamp token that is not there',
  ],
  ARCHIVE_MANIFEST_REFERENCE_NOT_FOUND: [
    'indeterminate',
    'an ASiCArchiveManifest references an entry that is not in the container',
  ],
  ARCHIVE_MANIFEST_DIGEST_MISMATCH: ['invalid', 'an ASiCArchiveManifest digest does not match the entry'],
  // the PKI layer
  PKI_CHECKS_NOT_PERFORMED: [
    'indeterminate',
    'certificate chain, revocation and time-stamp checks were not performed (no PKI checks configured)',
  ],
} as const satisfies Record<string, readonly [Severity, string]>;

export type FindingCode = keyof typeof FINDINGS;

export interface Finding {
  /** One of `FindingCode`, or a code of the PKI checks (which namespace theirs, e.g. `PKI_OCSP_NONCE_MISMATCH`). */
  readonly code: string;
  readonly severity: Severity;
  /** A sentence for people; never parsed. */
  readonly message: string;
  /** The entry, file or reference the finding is about, when it is about one. */
  readonly subject?: string;
}

export function finding(code: FindingCode, detail?: string, subject?: string): Finding {
  const [severity, text] = FINDINGS[code];
  return {
    code,
    severity,
    message: detail ? `${text}: ${detail}` : text,
    ...(subject !== undefined ? { subject } : {}),
  };
}

const ORDER: readonly Severity[] = ['invalid', 'indeterminate', 'unsupported', 'warning', 'info'];

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  for (const s of ORDER) if (findings.some((f) => f.severity === s)) return s;
  return undefined;
}
