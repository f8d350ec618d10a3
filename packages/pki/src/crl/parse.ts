import { toHex } from '@riik/core';
import { verifySignature } from '../algorithms.js';
import { bytes, firstElementBytes, parseDer } from '../der.js';
import { asn1Schema, asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';
import { reasonName, type RevocationReason } from './reason.js';

export interface ParsedCrl {
  der: Uint8Array;
  issuerDer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: number;
  /** serial hex → revocation */
  revoked: Map<string, { revokedAt: Date; reason: RevocationReason }>;
  /** Whether `issuer`'s key signed this CRL. */
  isSignedBy(issuer: Certificate): boolean;
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  const { AsnConvert } = asn1Schema();
  const { CertificateList, CRLNumber, CRLReason } = asn1X509();
  const crl = parseDer(der, CertificateList, 'CRL');
  const tbsDer = firstElementBytes(der);
  const revoked = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
  for (const entry of crl.tbsCertList.revokedCertificates ?? []) {
    const reasonExt = entry.crlEntryExtensions?.find((e) => e.extnID === OID.cRLReason);
    const code = reasonExt ? AsnConvert.parse(reasonExt.extnValue, CRLReason).reason : 0;
    revoked.set(toHex(bytes(entry.userCertificate)), {
      revokedAt: entry.revocationDate.getTime(),
      reason: reasonName(code) ?? 'unspecified',
    });
  }
  const numberExt = crl.tbsCertList.crlExtensions?.find((e) => e.extnID === OID.cRLNumber);
  const nextUpdate = crl.tbsCertList.nextUpdate?.getTime();
  return {
    der,
    issuerDer: new Uint8Array(AsnConvert.serialize(crl.tbsCertList.issuer)),
    thisUpdate: crl.tbsCertList.thisUpdate.getTime(),
    ...(nextUpdate ? { nextUpdate } : {}),
    ...(numberExt ? { crlNumber: AsnConvert.parse(numberExt.extnValue, CRLNumber).value } : {}),
    revoked,
    isSignedBy: (issuer) =>
      verifySignature(issuer.publicKey, crl.signatureAlgorithm, tbsDer, bytes(crl.signature)),
  };
}
