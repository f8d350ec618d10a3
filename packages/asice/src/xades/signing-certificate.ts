/**
 * Identifying the signing certificate (EN 319 132-1 5.2.2): the certificate whose digest the
 * signed SigningCertificate(V2) property carries. Candidates come from KeyInfo and
 * CertificateValues, but a candidate is accepted only through that signed digest, so a key
 * swapped into KeyInfo cannot be used to "verify" a signature.
 */
import { children, readTlv } from '@riik/pki/der';
import { rawIssuerAndSerial } from '@riik/pki/tsp/ess';
import { Certificate } from '@riik/pki/x509/certificate';
import { finding, type Finding } from '../validation/findings.js';
import { digestAlgorithm } from '../xmldsig/algorithms.js';
import { digestsEqual } from '../xmldsig/verify.js';
import {
  namesEqual,
  parseName,
  parseNameDer,
  parseStringName,
  type DistinguishedName,
} from './distinguished-name.js';
import type { CertId, XadesSignature } from './model.js';

export interface SigningCertificateResult {
  readonly certificate?: Certificate;
  readonly findings: readonly Finding[];
}

export function identifySigningCertificate(signature: XadesSignature): SigningCertificateResult {
  const findings: Finding[] = [];
  const ref = signature.qualifyingProperties.signedProperties.signingCertificate;
  if (!ref) {
    return {
      findings: [finding('SIGNING_CERTIFICATE_NOT_FOUND', 'SignedProperties has no SigningCertificate')],
    };
  }
  for (const certId of ref.certs) {
    const alg = digestAlgorithm(certId.certDigest.algorithm);
    if (!alg) {
      findings.push(finding('UNSUPPORTED_ALGORITHM', `CertDigest uses ${certId.certDigest.algorithm}`));
    } else if (alg.weak) {
      findings.push(finding('WEAK_ALGORITHM', `CertDigest uses ${alg.hash}`));
    }
  }
  const unsigned = signature.qualifyingProperties.unsignedProperties;
  for (const der of [...signature.xml.keyInfoCertificates, ...unsigned.certificateValues]) {
    let certificate: Certificate;
    try {
      certificate = Certificate.fromDer(der);
      void certificate.publicKey; // a key node:crypto cannot load makes the certificate unusable here
    } catch {
      continue;
    }
    const certId = ref.certs.find((c) => {
      const alg = digestAlgorithm(c.certDigest.algorithm);
      return alg !== undefined && digestsEqual(certificate.digest(alg.hash), c.certDigest.value);
    });
    if (!certId) continue;
    if (!issuerSerialMatches(certId, certificate))
      findings.push(finding('SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH'));
    return { certificate, findings };
  }
  findings.push(
    finding(
      'SIGNING_CERTIFICATE_NOT_FOUND',
      'no certificate in the signature matches the SigningCertificate digest',
    ),
  );
  return { findings };
}

/** IssuerSerial (v1, RFC 4514 string + decimal) or IssuerSerialV2 (DER) against the certificate. */
function issuerSerialMatches(certId: CertId, cert: Certificate): boolean {
  try {
    const serial = serialNumberOf(cert);
    const issuer = issuerNameOf(cert);
    if (certId.issuerSerial) {
      return (
        BigInt(certId.issuerSerial.serialNumber) === serial &&
        namesEqual(parsedStringName(certId.issuerSerial.issuerName), issuer)
      );
    }
    if (certId.issuerSerialV2) {
      // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber, ... }  (RFC 5035)
      const der = certId.issuerSerialV2;
      const outer = readTlv(der, 0);
      if (outer.tag !== 0x30 || outer.end !== der.length) return false;
      const [names, serialInt] = children(der, outer);
      if (names?.tag !== 0x30 || serialInt?.tag !== 0x02) return false;
      if (twosComplement(der.subarray(serialInt.contentStart, serialInt.end)) !== serial) return false;
      return children(der, names).some((generalName) => {
        // directoryName [4] EXPLICIT Name
        if (generalName.tag !== 0xa4) return false;
        const inner = children(der, generalName)[0];
        return inner !== undefined && namesEqual(parseName(der, inner), issuer);
      });
    }
    return true; // V2 without IssuerSerialV2: the digest alone identifies the certificate
  } catch {
    return false;
  }
}

/**
 * Parsed issuer names, kept: the signatures a validator reads name the same few CAs, and a
 * returning signer's certificate the same issuer. Parsing them again was a visible share of
 * identifying the signing certificate. Names are immutable values; the string cache is bounded.
 */
const CERTIFICATE_ISSUERS = new WeakMap<Certificate, DistinguishedName>();
const STRING_NAMES = new Map<string, DistinguishedName>();
const STRING_NAMES_LIMIT = 256;

function issuerNameOf(cert: Certificate): DistinguishedName {
  let name = CERTIFICATE_ISSUERS.get(cert);
  if (!name) {
    name = parseNameDer(encodedIssuer(cert));
    CERTIFICATE_ISSUERS.set(cert, name);
  }
  return name;
}

function parsedStringName(text: string): DistinguishedName {
  let name = STRING_NAMES.get(text);
  if (!name) {
    name = parseStringName(text);
    if (STRING_NAMES.size >= STRING_NAMES_LIMIT) STRING_NAMES.clear();
    STRING_NAMES.set(text, name);
  }
  return name;
}

/** The certificate serial number as a (signed) integer, from its DER INTEGER content. */
function serialNumberOf(cert: Certificate): bigint {
  return twosComplement(Buffer.from(cert.serialHex, 'hex'));
}

function twosComplement(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/**
 * The issuer Name exactly as the certificate encodes it (TBSCertificate's fourth field, after the
 * optional version), not a re-encoding: IssuerSerial must match what the certificate says.
 */
export function encodedIssuer(cert: Certificate): Uint8Array {
  return rawIssuerAndSerial(cert).issuer;
}
