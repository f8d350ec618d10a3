import { createHash } from 'node:crypto';
import { OID } from '@riik/pki';
import {
  SignatureError,
  verifyMessageSignature,
  verifySignatureXml,
  XRoadFault,
  type GlobalConf,
  type MessageDigests,
  type SignatureData,
  type VerifiedSignature,
  type XRoadClientId,
  type XRoadErrorPrefix,
  type XRoadFaultType,
} from '@riik/xroad';
import type { CertChecker } from './cert-checker.js';
import { CertRefused } from './cert-checker.js';

const CACHE_SIZE = 4096;

/**
 * Verifies the signature of a message from another security server: the XAdES signature and its
 * hash chain (PR-MESSTRANSP §3.2 step 7, §3.3 step 4), that the signing certificate is the expected
 * member's (riik's signing profile puts the member code in the subject serialNumber) and that it is
 * valid with the OCSP response carried in the signature. A batch signature is checked once and its
 * result reused for the other messages of the batch.
 */
export class MessageVerifier {
  private readonly xmlCache = new Map<string, VerifiedSignature | SignatureError>();

  constructor(private readonly checker: CertChecker) {}

  private verifyXml = (xml: string): VerifiedSignature => {
    const key = createHash('sha256').update(xml).digest('base64');
    let hit = this.xmlCache.get(key);
    if (!hit) {
      try {
        hit = verifySignatureXml(xml);
      } catch (err) {
        if (!(err instanceof SignatureError)) throw err;
        hit = err;
      }
      if (this.xmlCache.size >= CACHE_SIZE) this.xmlCache.delete(this.xmlCache.keys().next().value!);
      this.xmlCache.set(key, hit);
    }
    if (hit instanceof SignatureError) throw hit;
    return hit;
  };

  verify(
    data: SignatureData,
    digests: MessageDigests,
    signer: XRoadClientId,
    gconf: GlobalConf,
    prefix: XRoadErrorPrefix,
  ): VerifiedSignature {
    let verified: VerifiedSignature;
    try {
      verified = verifyMessageSignature(data, digests, this.verifyXml);
    } catch (err) {
      if (err instanceof SignatureError)
        throw new XRoadFault(`${prefix}.${err.code}` as XRoadFaultType, err.message, { cause: err });
      throw err;
    }
    const cert = verified.certificate;
    const memberCode = cert.subjectValues(OID.serialNumber)[0];
    if (memberCode !== signer.memberCode || !(cert.keyUsage ?? []).includes('nonRepudiation'))
      throw new XRoadFault(
        `${prefix}.IncorrectCertificate` as XRoadFaultType,
        `the message is not signed by ${signer.member.encode()} (signer ${cert.subjectString})`,
      );
    try {
      this.checker.check(cert, verified.ocspResponses, gconf);
    } catch (err) {
      if (err instanceof CertRefused) throw err.toFault(prefix, 'CertValidation');
      throw err;
    }
    return verified;
  }
}
