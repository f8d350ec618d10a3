/**
 * The PKI checks of a DigiDoc validator, on a trust store: what `validateContainer` asks of the
 * `PkiChecks` it is given.
 *
 * For an LT/LTA signature, in the order libdigidocpp and digidoc4j take them:
 *   1. every SignatureTimeStamp: over the canonical SignatureValue, signed, TSA trusted at genTime;
 *      the earliest valid one is the best-signature-time (otherwise the validation time);
 *   2. the signer's certificate at the best-signature-time: path to a trusted CA, nonRepudiation,
 *      qualification;
 *   3. its OCSP response: about it, from an authorised responder, status good, produced after
 *      the time-stamp (and not too long after), nonce;
 *   4. every ArchiveTimeStamp (LTA): over its EN 319 132-1 input, TSA trusted at its genTime.
 * Every certificate the signature carries, the OCSP responses' and the tokens' certificates are
 * the pool paths are built from; trust comes only from the store.
 */
import { PkiError } from '@riik/pki/errors';
import { Certificate } from '@riik/pki/x509/certificate';
import type { TrustStore } from '../trust/trust-store.js';
import type {
  ContainerTimeStampInput,
  PkiChecks,
  PkiContext,
  PkiResult,
  SignaturePkiInput,
} from '../validation/pki.js';
import type { Finding } from '../validation/findings.js';
import { findIssuer } from './paths.js';
import {
  checkRevocation,
  DEFAULT_REVOCATION_POLICY,
  parseOcspResponses,
  type RevocationPolicy,
} from './revocation.js';
import { checkSigner } from './signer.js';
import { checkTimeStamp } from './time-stamps.js';

export interface PkiValidatorOptions {
  readonly revocation?: Partial<RevocationPolicy>;
}

export class PkiValidator implements PkiChecks {
  private readonly policy: RevocationPolicy;

  constructor(
    readonly trust: TrustStore,
    options: PkiValidatorOptions = {},
  ) {
    this.policy = { ...DEFAULT_REVOCATION_POLICY, ...options.revocation };
  }

  async checkSignature(input: SignaturePkiInput, context: PkiContext): Promise<PkiResult> {
    const findings: Finding[] = [];
    // Certificate.fromDer gives one object per certificate: the CA, TSA and responder
    // certificates every signature carries are parsed, and their issuers verified, once.
    const ocsp = parseOcspResponses(input.ocspResponses);
    const pool = new Set<Certificate>();
    for (const der of input.certificates) {
      const c = parseCertificate(der);
      if (c) pool.add(c);
    }
    for (const r of ocsp.responses) for (const c of r.basic!.certificates) pool.add(c);

    // 1. signature time-stamps
    let bestSignatureTime: Date | undefined;
    for (const ts of input.signatureTimeStamps) {
      const checked = await checkTimeStamp(ts.token, ts.timeStamped, ts.property.kind, this.trust, [...pool]);
      findings.push(...checked.findings);
      if (checked.token) for (const c of checked.token.certificates) pool.add(c);
      if (checked.valid && checked.genTime && (!bestSignatureTime || checked.genTime < bestSignatureTime))
        bestSignatureTime = checked.genTime;
    }

    // 2. the signer's certificate, at the best-signature-time
    const signer = input.signingCertificate;
    const time = bestSignatureTime ?? context.validationTime;
    const candidates = [...pool, ...this.trust.certificates];
    const signerCheck = checkSigner(signer, time, this.trust, candidates);
    findings.push(...signerCheck.findings);

    // 3. revocation
    const issuer = signerCheck.chain[1] ?? findIssuer(signer, candidates);
    findings.push(
      ...checkRevocation({
        signer,
        ...(issuer ? { issuer } : {}),
        ocsp,
        signatureValue: input.signature.xml.signatureValue.value,
        pool: [...pool],
        trust: this.trust,
        ...(bestSignatureTime ? { timeStampTime: bestSignatureTime } : {}),
        policy: this.policy,
      }).findings,
    );

    // 4. archive time-stamps
    for (const ts of input.archiveTimeStamps) {
      const checked = await checkTimeStamp(ts.token, ts.timeStamped, ts.property.kind, this.trust, [...pool]);
      findings.push(...checked.findings);
    }
    return { findings, ...(bestSignatureTime ? { bestSignatureTime } : {}) };
  }

  async checkContainerTimeStamp(input: ContainerTimeStampInput): Promise<PkiResult> {
    const checked = await checkTimeStamp(input.token, input.timeStamped, input.file, this.trust, []);
    return {
      findings: checked.findings,
      ...(checked.valid && checked.genTime ? { bestSignatureTime: checked.genTime } : {}),
    };
  }
}

function parseCertificate(der: Uint8Array): Certificate | undefined {
  try {
    return Certificate.fromDer(der);
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    return undefined;
  }
}
