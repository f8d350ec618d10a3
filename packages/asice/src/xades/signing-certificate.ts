/**
 * Identifying the signing certificate (EN 319 132-1 5.2.2): the certificate whose digest the
 * signed SigningCertificate(V2) property carries. Candidates come from KeyInfo and
 * CertificateValues, but a candidate is accepted only through that signed digest, so a key
 * swapped into KeyInfo cannot be used to "verify" a signature.
 */
import * as asn1js from 'asn1js';
import { finding, type Finding } from '../validation/findings.js';
import {
  readCertificate,
  certificateDigest,
  integerValue,
  type CertificateInfo,
} from '../x509/certificate.js';
import { namesEqual, parseDerName, parseStringName } from '../x509/name.js';
import { digestAlgorithm } from '../xmldsig/algorithms.js';
import { digestsEqual } from '../xmldsig/verify.js';
import type { CertId, XadesSignature } from './model.js';

export interface SigningCertificateResult {
  readonly certificate?: CertificateInfo;
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
  const candidates = uniqueDer([...signature.xml.keyInfoCertificates, ...unsigned.certificateValues]);
  for (const der of candidates) {
    const certId = ref.certs.find((c) => {
      const alg = digestAlgorithm(c.certDigest.algorithm);
      return alg !== undefined && digestsEqual(certificateDigest(der, alg.hash), c.certDigest.value);
    });
    if (!certId) continue;
    let certificate: CertificateInfo;
    try {
      certificate = readCertificate(der);
    } catch {
      continue;
    }
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

function uniqueDer(list: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return list.filter((der) => {
    const key = Buffer.from(der).toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** IssuerSerial (v1, RFC 4514 string + decimal) or IssuerSerialV2 (DER) against the certificate. */
function issuerSerialMatches(certId: CertId, cert: CertificateInfo): boolean {
  try {
    if (certId.issuerSerial) {
      return (
        BigInt(certId.issuerSerial.serialNumber) === cert.serialNumber &&
        namesEqual(parseStringName(certId.issuerSerial.issuerName), cert.issuer)
      );
    }
    if (certId.issuerSerialV2) {
      // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber, ... }  (RFC 5035)
      const parsed = asn1js.fromBER(certId.issuerSerialV2);
      if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return false;
      const [names, serial] = parsed.result.valueBlock.value;
      if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return false;
      if (integerValue(serial) !== cert.serialNumber) return false;
      return names.valueBlock.value.some((generalName) => {
        // directoryName [4] EXPLICIT Name
        if (generalName.idBlock.tagClass !== 3 || generalName.idBlock.tagNumber !== 4) return false;
        const inner = (generalName as asn1js.Constructed).valueBlock.value[0];
        return inner !== undefined && namesEqual(parseDerName(inner), cert.issuer);
      });
    }
    return true; // V2 without IssuerSerialV2: the digest alone identifies the certificate
  } catch {
    return false;
  }
}
