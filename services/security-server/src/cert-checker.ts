import { createHash } from 'node:crypto';
import { buildChain, parseOcspResponse, PkiError, verifyOcspResponse, type Certificate } from '@riik/pki';
import { XRoadFault, type GlobalConf, type XRoadErrorCode, type XRoadErrorPrefix } from '@riik/xroad';

/** Why a certificate was refused; the caller turns it into the fault of its situation. */
export class CertRefused extends Error {
  constructor(
    readonly reason:
      'untrusted' | 'expired' | 'no-ocsp' | 'bad-ocsp' | 'stale-ocsp' | 'revoked' | 'suspended' | 'unknown',
    message: string,
  ) {
    super(message);
  }

  toFault(prefix: XRoadErrorPrefix, code: XRoadErrorCode): XRoadFault {
    return new XRoadFault(`${prefix}.${code}`, this.message, { cause: this });
  }
}

interface OcspVerdict {
  status: 'good' | 'revoked' | 'suspended' | 'unknown';
  producedAt: number;
  serial: string;
  issuer: string;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Checks the certificates other security servers present — authentication certificates on TLS and
 * signing certificates in message signatures — against the global configuration: a path to the top
 * of an approved CA, valid now, and a good OCSP response from the CA (or its approved responder)
 * whose producedAt is within the instance's ocspFreshnessSeconds. Chains and OCSP signatures are
 * verified once and cached (both are P-384 operations); the status decision is made on every call.
 */
export class CertChecker {
  private chains = new WeakMap<
    GlobalConf,
    Map<string, { issuer: Certificate; validUntil: number } | CertRefused>
  >();
  private ocsp = new Map<string, OcspVerdict | CertRefused>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The issuer of `cert` in an approved CA, or a refusal. */
  issuerOf(cert: Certificate, gconf: GlobalConf): Certificate {
    let perConf = this.chains.get(gconf);
    if (!perConf) {
      perConf = new Map();
      this.chains.set(gconf, perConf);
    }
    const key = cert.sha256Hex;
    let entry = perConf.get(key);
    const now = this.now();
    if (!entry || (!(entry instanceof CertRefused) && entry.validUntil < now.getTime())) {
      const tops = gconf.trustedCas.map((c) => c.top);
      const intermediates = gconf.trustedCas.flatMap((c) => c.intermediates);
      const chain = buildChain(cert, tops, intermediates, now);
      if (!chain.valid || chain.chain.length < 2) {
        entry = new CertRefused(
          chain.code === 'EXPIRED' || chain.code === 'NOT_YET_VALID' ? 'expired' : 'untrusted',
          `${cert.subjectString}: ${chain.message}`,
        );
      } else {
        const validUntil = Math.min(...chain.chain.map((c) => c.notAfter.getTime()));
        entry = { issuer: chain.chain[1]!, validUntil };
      }
      if (perConf.size > 10_000) perConf.clear();
      perConf.set(key, entry);
    }
    if (entry instanceof CertRefused) throw entry;
    return entry.issuer;
  }

  /**
   * Check `cert` fully. `ocspResponses` are what the peer supplied (TLS stapling, transport OCSP
   * parts, or the signature's RevocationValues); one must be about this certificate.
   */
  check(cert: Certificate, ocspResponses: ReadonlyArray<Uint8Array>, gconf: GlobalConf): void {
    const issuer = this.issuerOf(cert, gconf);
    const now = this.now();
    let found: OcspVerdict | undefined;
    let lastRefusal: CertRefused | undefined;
    for (const der of ocspResponses) {
      const verdict = this.ocspVerdict(der, cert, issuer, gconf);
      if (verdict instanceof CertRefused) {
        lastRefusal = verdict;
        continue;
      }
      if (verdict.serial !== cert.serialHex || verdict.issuer !== issuer.sha256Hex) continue;
      if (!found || verdict.producedAt > found.producedAt) found = verdict;
    }
    if (!found) throw lastRefusal ?? new CertRefused('no-ocsp', `no OCSP response for ${cert.subjectString}`);
    if (found.status === 'revoked') throw new CertRefused('revoked', `${cert.subjectString} is revoked`);
    if (found.status === 'suspended')
      throw new CertRefused('suspended', `${cert.subjectString} is suspended`);
    if (found.status === 'unknown')
      throw new CertRefused('unknown', `the CA does not know ${cert.subjectString}`);
    const age = now.getTime() - found.producedAt;
    if (age > gconf.ocspFreshnessSeconds * 1000)
      throw new CertRefused(
        'stale-ocsp',
        `the OCSP response for ${cert.subjectString} is ${Math.round(age / 1000)} s old`,
      );
  }

  private ocspVerdict(
    der: Uint8Array,
    cert: Certificate,
    issuer: Certificate,
    gconf: GlobalConf,
  ): OcspVerdict | CertRefused {
    const key = `${sha256(der)}|${cert.sha256Hex}`;
    const cached = this.ocsp.get(key);
    if (cached) return cached;
    let verdict: OcspVerdict | CertRefused;
    try {
      const parsed = parseOcspResponse(der);
      const responders = gconf.trustedCas.flatMap((c) => c.ocspResponders);
      const result = verifyOcspResponse(parsed, {
        cert,
        issuer,
        now: this.now(),
        trustedResponders: responders,
        // Freshness is judged by producedAt against the instance's limit, not by nextUpdate.
        skewMs: 365 * 86_400_000,
      });
      if (!result.valid || !result.revocation) {
        verdict = new CertRefused('bad-ocsp', `OCSP response for ${cert.subjectString}: ${result.message}`);
      } else {
        const s = result.revocation.status;
        verdict = {
          status:
            s.status === 'good'
              ? 'good'
              : s.status === 'unknown'
                ? 'unknown'
                : s.reason === 'certificateHold'
                  ? 'suspended'
                  : 'revoked',
          producedAt: result.revocation.producedAt.getTime(),
          serial: cert.serialHex,
          issuer: issuer.sha256Hex,
        };
      }
    } catch (err) {
      if (!(err instanceof PkiError)) throw err;
      verdict = new CertRefused('bad-ocsp', `unreadable OCSP response: ${err.message}`);
    }
    if (this.ocsp.size > 10_000) this.ocsp.clear();
    this.ocsp.set(key, verdict);
    return verdict;
  }
}
