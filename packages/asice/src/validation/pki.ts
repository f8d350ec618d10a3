/**
 * The injectable PKI checks: everything about a signature that needs X.509 path validation,
 * OCSP or RFC 3161 time-stamp tokens. This package prepares their input (the identified signing
 * certificate, every certificate, OCSP response and time-stamp token the signature carries, and
 * the exact octets each time-stamp must cover) and folds their findings into the verdict. It
 * never decides those questions itself: without PkiChecks a signature stays INDETERMINATE with
 * PKI_CHECKS_NOT_PERFORMED.
 */
import type { CertificateInfo } from '../x509/certificate.js';
import type { SignatureLevel, XadesSignature, XadesTimeStamp } from '../xades/model.js';
import type { HashName } from '../xmldsig/algorithms.js';
import type { Finding } from './findings.js';

/** The octets a time-stamp token's message imprint must match, digested on demand (data files are streamed). */
export interface TimeStampedData {
  /** What is covered, for messages ("canonicalized ds:SignatureValue", "data file test.txt"). */
  readonly description: string;
  /**
   * Digest of the covered octets with the hash the TSTInfo's messageImprint names. Call it while
   * the PKI check runs: it reads from the container, which is closed when validation ends.
   */
  digest(hash: HashName): Promise<Uint8Array>;
}

export interface TimeStampInput {
  /** The XAdES property (SignatureTimeStamp or ArchiveTimeStamp) the token came from. */
  readonly property: XadesTimeStamp;
  /** DER TimeStampToken (CMS SignedData with a TSTInfo). */
  readonly token: Uint8Array;
  /** Undefined when the covered octets cannot be computed; a finding already says why. */
  readonly timeStamped?: TimeStampedData;
}

export interface SignaturePkiInput {
  readonly signature: XadesSignature;
  readonly level: SignatureLevel;
  /** The certificate the signed SigningCertificate property identifies. */
  readonly signingCertificate: CertificateInfo;
  /** Whether the SignatureValue verified with that certificate's key (already reported if not). */
  readonly signatureValueVerified: boolean;
  /** SigningTime as claimed by the signer (not a proof of time). */
  readonly claimedSigningTime?: Date;
  /** Every certificate the signature carries (KeyInfo, CertificateValues, TimeStampValidationData), DER. */
  readonly certificates: readonly Uint8Array[];
  /** RevocationValues and TimeStampValidationData OCSP responses (DER OCSPResponse). */
  readonly ocspResponses: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly signatureTimeStamps: readonly TimeStampInput[];
  readonly archiveTimeStamps: readonly TimeStampInput[];
}

/** A time-stamp token of a time-stamped ASiC-S container (META-INF/timestamp*.tst). */
export interface ContainerTimeStampInput {
  readonly file: string;
  readonly token: Uint8Array;
  /** The data file itself (first token) or the ASiCArchiveManifest whose SigReference names this token. */
  readonly timeStamped: TimeStampedData;
  /** False for a token over an archive manifest that does not list the data file. */
  readonly coversDataFile: boolean;
}

export interface PkiContext {
  /** The time validation is done for ("now" unless the caller asks for another moment). */
  readonly validationTime: Date;
}

export interface PkiResult {
  /** Findings with their own codes and severities; `invalid` / `indeterminate` ones decide the verdict. */
  readonly findings: readonly Finding[];
  /** The best-signature-time the time-stamps prove, for the report. */
  readonly bestSignatureTime?: Date;
}

export interface PkiChecks {
  /**
   * Certificate chain to a trust anchor, signing-certificate validity and key usage, revocation
   * (OCSP) freshness and consistency, signature (and archive) time-stamps: imprint over
   * `timeStamped`, TSA trust, ordering of time-stamp and OCSP.
   */
  checkSignature(input: SignaturePkiInput, context: PkiContext): Promise<PkiResult>;
  /** A time-stamp token of a time-stamped ASiC-S container: imprint over `timeStamped`, TSA trust. */
  checkContainerTimeStamp(input: ContainerTimeStampInput, context: PkiContext): Promise<PkiResult>;
}
