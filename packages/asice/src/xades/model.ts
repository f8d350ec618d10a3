/**
 * The XAdES model (ETSI EN 319 132-1): the qualifying properties of one signature, typed, with
 * the raw DER of every certificate, OCSP response and time-stamp token kept for the PKI checks.
 */
import type { XmlElement } from '../xml/dom.js';
import type { XmlSignature } from '../xmldsig/signature.js';

export interface DigestAlgAndValue {
  /** DigestMethod Algorithm URI. */
  readonly algorithm: string;
  readonly value: Uint8Array;
}

/** One xades:Cert of SigningCertificate (v1) or SigningCertificateV2. */
export interface CertId {
  readonly certDigest: DigestAlgAndValue;
  /** v1 IssuerSerial: issuer as an RFC 4514 string, serial as a decimal string. */
  readonly issuerSerial?: { readonly issuerName: string; readonly serialNumber: string };
  /** v2 IssuerSerialV2: DER of RFC 5035 IssuerSerial. */
  readonly issuerSerialV2?: Uint8Array;
}

export interface SigningCertificate {
  readonly version: 1 | 2;
  readonly certs: readonly CertId[];
}

export interface SignaturePolicy {
  /** SignaturePolicyImplied instead of an explicit policy. */
  readonly implied: boolean;
  /** The Identifier text as written, e.g. `urn:oid:1.3.6.1.4.1.10015.1000.3.2.1`. */
  readonly identifier?: string;
  /** The Identifier's Qualifier attribute (`OIDAsURN`, `OIDAsURI`), when present. */
  readonly qualifier?: string;
  /** The policy OID, when the identifier is one (bare or `urn:oid:`). */
  readonly oid?: string;
  readonly hash?: DigestAlgAndValue;
  /** SigPolicyQualifier/SPURI values. */
  readonly spuris: readonly string[];
}

export interface SignatureProductionPlace {
  readonly version: 1 | 2;
  readonly city?: string;
  readonly streetAddress?: string;
  readonly stateOrProvince?: string;
  readonly postalCode?: string;
  readonly countryName?: string;
}

export interface SignerRole {
  readonly version: 1 | 2;
  readonly claimedRoles: readonly string[];
}

export interface DataObjectFormat {
  /** `#` + the Id of the ds:Reference it describes. */
  readonly objectReference: string;
  readonly mimeType?: string;
  readonly description?: string;
  readonly encoding?: string;
}

export interface SignedProperties {
  readonly element: XmlElement;
  readonly id?: string;
  /** SigningTime as written and as a Date (undefined when absent). */
  readonly signingTime?: Date;
  readonly signingCertificate?: SigningCertificate;
  readonly policy?: SignaturePolicy;
  readonly productionPlace?: SignatureProductionPlace;
  readonly signerRole?: SignerRole;
  readonly dataObjectFormats: readonly DataObjectFormat[];
  /** Signed properties we parse past but do not evaluate (content time-stamps, commitment types). */
  readonly unevaluated: readonly string[];
}

/** A time-stamp property (XAdESTimeStampType): SignatureTimeStamp or ArchiveTimeStamp. */
export interface XadesTimeStamp {
  readonly element: XmlElement;
  readonly kind: 'SignatureTimeStamp' | 'ArchiveTimeStamp';
  readonly id?: string;
  /** ds:CanonicalizationMethod in the time-stamp; Canonical XML 1.0 when absent (EN 319 132-1 5.1.4.1). */
  readonly canonicalizationMethod: string;
  /** DER of each EncapsulatedTimeStamp (a CMS SignedData holding a TSTInfo). */
  readonly tokens: readonly Uint8Array[];
}

export interface UnsignedProperties {
  readonly element?: XmlElement;
  readonly signatureTimeStamps: readonly XadesTimeStamp[];
  /** CertificateValues/EncapsulatedX509Certificate DER. */
  readonly certificateValues: readonly Uint8Array[];
  /** RevocationValues/OCSPValues/EncapsulatedOCSPValue DER (each an OCSPResponse). */
  readonly ocspValues: readonly Uint8Array[];
  /** RevocationValues/CRLValues/EncapsulatedCRLValue DER. */
  readonly crlValues: readonly Uint8Array[];
  readonly archiveTimeStamps: readonly XadesTimeStamp[];
  /** xades141:TimeStampValidationData certificate and revocation values (for the archive time-stamps). */
  readonly timeStampValidationData: {
    readonly certificates: readonly Uint8Array[];
    readonly ocspValues: readonly Uint8Array[];
    readonly crlValues: readonly Uint8Array[];
  };
  /** Unsigned properties present but not evaluated (CounterSignature, CompleteCertificateRefs, ...). */
  readonly unevaluated: readonly string[];
}

export interface QualifyingProperties {
  readonly element: XmlElement;
  readonly target?: string;
  readonly signedProperties: SignedProperties;
  readonly unsignedProperties: UnsignedProperties;
}

/**
 * Signature levels in the ETSI baseline profiles, plus BDOC time-mark (TM): a B-EPES signature
 * with the BDOC policy whose OCSP response itself serves as the time of signing.
 */
export type SignatureLevel = 'B' | 'T' | 'LT' | 'LTA' | 'TM';

export interface XadesSignature {
  /** The signature file (`META-INF/signatures0.xml`) this signature came from. */
  readonly file: string;
  readonly xml: XmlSignature;
  readonly qualifyingProperties: QualifyingProperties;
  readonly level: SignatureLevel;
}
