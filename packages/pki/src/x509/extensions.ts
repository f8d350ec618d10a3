import { createHash } from 'node:crypto';
import type { AccessDescription, Extension, GeneralName } from '@peculiar/asn1-x509';
import { arrayBuffer, encodeTlv } from '../der.js';
import { asn1Schema, asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';
import type { KeyUsageName } from './certificate.js';
import { buildQcStatements, type QcStatementOptions } from './qc.js';

function ext(extnID: string, critical: boolean, value: unknown): Extension {
  const { AsnConvert, OctetString } = asn1Schema();
  const { Extension } = asn1X509();
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** Key identifier method 1 of RFC 5280 §4.2.1.2: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKeyBits: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKeyBits).digest());
}

export const extensions = {
  basicConstraints(ca: boolean, pathLength?: number, critical = true): Extension {
    const { BasicConstraints } = asn1X509();
    const bc = new BasicConstraints({ cA: ca });
    if (pathLength !== undefined) bc.pathLenConstraint = pathLength;
    return ext(OID.basicConstraints, critical, bc);
  },
  keyUsage(usages: KeyUsageName[]): Extension {
    const { KeyUsage, KeyUsageFlags } = asn1X509();
    const flags = usages.reduce((acc, u) => acc | KeyUsageFlags[u === 'cRLSign' ? 'cRLSign' : u], 0);
    return ext(OID.keyUsage, true, new KeyUsage(flags));
  },
  extendedKeyUsage(purposes: string[], critical = true): Extension {
    const { ExtendedKeyUsage } = asn1X509();
    return ext(OID.extKeyUsage, critical, new ExtendedKeyUsage(purposes));
  },
  subjectKeyIdentifier(publicKeyBits: Uint8Array): Extension {
    const { SubjectKeyIdentifier } = asn1X509();
    return ext(
      OID.subjectKeyIdentifier,
      false,
      new SubjectKeyIdentifier(arrayBuffer(keyIdentifier(publicKeyBits))),
    );
  },
  authorityKeyIdentifier(issuerKeyId: Uint8Array): Extension {
    const { AuthorityKeyIdentifier, KeyIdentifier } = asn1X509();
    return ext(
      OID.authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(arrayBuffer(issuerKeyId)) }),
    );
  },
  certificatePolicies(policies: string[], cpsUrl?: string): Extension {
    const { CertificatePolicies, PolicyInformation, PolicyQualifierInfo } = asn1X509();
    const infos = policies.map((policyIdentifier, i) => {
      const info = new PolicyInformation({ policyIdentifier });
      if (cpsUrl && i === 0) {
        info.policyQualifiers = [
          new PolicyQualifierInfo({
            policyQualifierId: OID.qtCps,
            qualifier: arrayBuffer(encodeTlv(0x16, new TextEncoder().encode(cpsUrl))), // CPSuri ::= IA5String
          }),
        ];
      }
      return info;
    });
    return ext(OID.certificatePolicies, false, new CertificatePolicies(infos));
  },
  authorityInfoAccess(ocspUrl?: string, caIssuersUrl?: string): Extension {
    const { AccessDescription, AuthorityInfoAccessSyntax } = asn1X509();
    const list: AccessDescription[] = [];
    if (ocspUrl) list.push(new AccessDescription({ accessMethod: OID.adOcsp, accessLocation: uri(ocspUrl) }));
    if (caIssuersUrl) {
      list.push(new AccessDescription({ accessMethod: OID.adCaIssuers, accessLocation: uri(caIssuersUrl) }));
    }
    return ext(OID.authorityInfoAccess, false, new AuthorityInfoAccessSyntax(list));
  },
  crlDistributionPoints(url: string): Extension {
    const { CRLDistributionPoints, DistributionPoint, DistributionPointName } = asn1X509();
    const dp = new DistributionPoint({
      distributionPoint: new DistributionPointName({ fullName: [uri(url)] }),
    });
    return ext(OID.cRLDistributionPoints, false, new CRLDistributionPoints([dp]));
  },
  subjectAltEmail(email: string): Extension {
    const { GeneralName, SubjectAlternativeName } = asn1X509();
    return ext(
      OID.subjectAltName,
      false,
      new SubjectAlternativeName([new GeneralName({ rfc822Name: email })]),
    );
  },
  subjectAltDns(names: string[]): Extension {
    const { GeneralName, SubjectAlternativeName } = asn1X509();
    return ext(
      OID.subjectAltName,
      false,
      new SubjectAlternativeName(names.map((dNSName) => new GeneralName({ dNSName }))),
    );
  },
  qcStatements(options: QcStatementOptions): Extension {
    const { OctetString } = asn1Schema();
    const { Extension } = asn1X509();
    return new Extension({
      extnID: OID.qcStatements,
      critical: false,
      extnValue: new OctetString(arrayBuffer(buildQcStatements(options))),
    });
  },
  /** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): the responder certificate is not itself checked. */
  ocspNoCheck(): Extension {
    const { OctetString } = asn1Schema();
    const { Extension } = asn1X509();
    return new Extension({
      extnID: OID.pkixOcspNocheck,
      critical: false,
      extnValue: new OctetString(new Uint8Array([0x05, 0x00])),
    });
  },
};

function uri(url: string): GeneralName {
  const { GeneralName } = asn1X509();
  return new GeneralName({ uniformResourceIdentifier: url });
}
