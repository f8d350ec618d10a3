import { createHash } from 'node:crypto';
import { Certificate, PkiError } from '@riik/pki';

/**
 * Certificates parsed once. CA, TSA and OCSP responder certificates recur in every container, a
 * signer's in each of their signatures; reusing one object per certificate keeps its parsed form,
 * its public key and the issuer signatures already verified (Certificate.isSignedBy remembers
 * them) across validations. A parsed certificate is an immutable value, so one bounded cache per
 * process is safe to share.
 */
export class CertificateCache {
  private readonly byDigest = new Map<string, Certificate>();

  constructor(private readonly limit = 10_000) {}

  /** The certificate for this DER, parsed at most once; undefined when it is not a certificate. */
  parse(der: Uint8Array): Certificate | undefined {
    const key = digestOf(der);
    const known = this.byDigest.get(key);
    if (known) return known;
    try {
      return this.remember(key, Certificate.fromDer(der));
    } catch (err) {
      if (!(err instanceof PkiError)) throw err;
      return undefined;
    }
  }

  /** The cached object for an already parsed certificate (the certificate itself the first time). */
  intern(cert: Certificate): Certificate {
    const key = digestOf(cert.der);
    return this.byDigest.get(key) ?? this.remember(key, cert);
  }

  /** Replace each certificate of a list (a token's, a response's) with its cached object, in place. */
  internAll(list: Certificate[]): void {
    for (let i = 0; i < list.length; i++) list[i] = this.intern(list[i]!);
  }

  private remember(key: string, cert: Certificate): Certificate {
    if (this.byDigest.size >= this.limit) this.byDigest.clear();
    this.byDigest.set(key, cert);
    return cert;
  }
}

function digestOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64');
}

/** The cache validation and signing use. */
export const sharedCertificateCache = new CertificateCache();
