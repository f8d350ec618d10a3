import type { Signer } from '@riik/keys';
import type { HashAlgorithm } from '@riik/keys';
import { spkiOf } from '../algorithms.js';
import { PkiError } from '../errors.js';
import type { ProfileOutput } from '../profiles/profiles.js';
import { DAY_MS, wholeSeconds } from '../time.js';
import { issueCertificate, randomSerial } from '../x509/build.js';
import { Certificate } from '../x509/certificate.js';
import { extensions, keyIdentifier } from '../x509/extensions.js';

/** Where relying parties find revocation status and the issuer certificate. */
export interface CaUrls {
  ocsp?: string;
  crl?: string;
  caIssuers?: string;
}

/**
 * An issuing authority: its certificate, its key (behind a Signer) and its URLs. Issues
 * certificates from profiles; keeps no state (the CA service records what it issued).
 */
export class CertificateAuthority {
  constructor(
    readonly certificate: Certificate,
    readonly signer: Signer,
    readonly urls: CaUrls = {},
    private readonly now: () => Date = () => new Date(),
    readonly hash: HashAlgorithm = 'SHA-512',
  ) {
    if (!Buffer.from(spkiOf(signer.publicKey)).equals(Buffer.from(certificate.spkiDer))) {
      throw new PkiError('BAD_ARGUMENT', 'the signer key does not match the CA certificate');
    }
  }

  /** Create a self-signed root from a profile. */
  static async createRoot(
    profile: ProfileOutput,
    signer: Signer,
    now: () => Date = () => new Date(),
  ): Promise<CertificateAuthority> {
    const notBefore = wholeSeconds(now());
    const spki = spkiOf(signer.publicKey);
    const bits = Certificate.spkiBits(spki);
    const cert = await issueCertificate({
      signer,
      subject: profile.subject,
      subjectPublicKeyInfo: spki,
      notBefore,
      notAfter: new Date(notBefore.getTime() + profile.validityDays * DAY_MS),
      extensions: [
        ...profile.extensions,
        extensions.subjectKeyIdentifier(bits),
        extensions.authorityKeyIdentifier(keyIdentifier(bits)),
      ],
    });
    return new CertificateAuthority(cert, signer, {}, now);
  }

  /**
   * Issue a certificate for `subjectPublicKeyInfo` under `profile`. The validity never
   * outlasts the issuer's own (RFC 5280 §6: a chain is only valid while every link is).
   */
  async issue(
    profile: ProfileOutput,
    subjectPublicKeyInfo: Uint8Array,
    options: { serial?: Uint8Array; notBefore?: Date } = {},
  ): Promise<Certificate> {
    const notBefore = wholeSeconds(options.notBefore ?? this.now());
    const wanted = notBefore.getTime() + profile.validityDays * DAY_MS;
    const notAfter = new Date(Math.min(wanted, this.certificate.notAfter.getTime()));
    if (notBefore < this.certificate.notBefore || notAfter <= notBefore) {
      throw new PkiError('BAD_ARGUMENT', 'the issuing CA certificate is not valid for this period');
    }
    const extra = [
      extensions.subjectKeyIdentifier(Certificate.spkiBits(subjectPublicKeyInfo)),
      extensions.authorityKeyIdentifier(this.keyId),
    ];
    if (profile.revocable) {
      if (this.urls.ocsp || this.urls.caIssuers)
        extra.push(extensions.authorityInfoAccess(this.urls.ocsp, this.urls.caIssuers));
      if (this.urls.crl) extra.push(extensions.crlDistributionPoints(this.urls.crl));
    }
    return issueCertificate({
      signer: this.signer,
      issuer: this.certificate.subject,
      subject: profile.subject,
      subjectPublicKeyInfo,
      notBefore,
      notAfter,
      extensions: [...profile.extensions, ...extra],
      serial: options.serial ?? randomSerial(),
      hash: this.hash,
    });
  }

  /** This CA's key identifier (its SKI, or computed as RFC 5280 method 1). */
  get keyId(): Uint8Array {
    return this.certificate.subjectKeyIdentifier ?? keyIdentifier(this.certificate.publicKeyBits);
  }
}
