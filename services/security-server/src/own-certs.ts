import { readFileSync } from 'node:fs';
import type { Logger } from '@riik/http';
import { SoftwareKeystore, type Signer } from '@riik/keys';
import { buildOcspRequest, Certificate, httpOcspFetch, type OcspFetch } from '@riik/pki';
import type { GlobalConf } from '@riik/xroad';
import type { CertChecker } from './cert-checker.js';
import { CertRefused } from './cert-checker.js';
import { securityServerPaths } from './layout.js';

export interface OwnKey {
  readonly signer: Signer;
  readonly certificate: Certificate;
}

interface OcspState {
  der: Uint8Array | undefined;
  /** Why the current response is not usable (revoked, stale, unreachable CA). */
  problem: string | undefined;
}

/**
 * The security server's own authentication and signing keys, their certificates, and the OCSP
 * responses for them: fetched from the approved CA's responder (the URL in the global configuration,
 * or the certificate's AIA) on an interval, checked like a peer would check them, and handed out with
 * every TLS handshake and signature (PR-MESSTRANSP §2.2: a server only talks to its own CA; peers get
 * the responses from it).
 */
export class OwnCerts {
  readonly auth: OwnKey;
  readonly sign: OwnKey;
  private readonly state = {
    auth: { der: undefined, problem: 'not fetched yet' } as OcspState,
    sign: { der: undefined, problem: 'not fetched yet' } as OcspState,
  };
  private timer: NodeJS.Timeout | undefined;
  private readonly fetchOcsp: OcspFetch;

  constructor(
    dataDir: string,
    name: string,
    private readonly checker: CertChecker,
    private readonly log: Logger,
    fetchOcsp?: OcspFetch,
  ) {
    const paths = securityServerPaths(dataDir, name);
    const keystore = SoftwareKeystore.open(paths.keys);
    this.auth = {
      signer: keystore.signer('auth'),
      certificate: Certificate.fromPem(readFileSync(paths.authCert, 'utf8')),
    };
    this.sign = {
      signer: keystore.signer('sign'),
      certificate: Certificate.fromPem(readFileSync(paths.signCert, 'utf8')),
    };
    this.fetchOcsp = fetchOcsp ?? httpOcspFetch(5_000);
  }

  /** The current OCSP response for the authentication or signing certificate. */
  ocsp(which: 'auth' | 'sign'): Uint8Array | undefined {
    return this.state[which].der;
  }

  problem(which: 'auth' | 'sign'): string | undefined {
    return this.state[which].problem;
  }

  async refresh(gconf: GlobalConf): Promise<void> {
    await Promise.all((['auth', 'sign'] as const).map((w) => this.refreshOne(w, gconf)));
  }

  private async refreshOne(which: 'auth' | 'sign', gconf: GlobalConf): Promise<void> {
    const cert = this[which].certificate;
    const st = this.state[which];
    try {
      const issuer = this.checker.issuerOf(cert, gconf);
      const ca = gconf.trustedCas.find(
        (c) => c.top.equals(issuer) || c.intermediates.some((i) => i.equals(issuer)),
      );
      const info =
        ca &&
        [ca.approved.topCa, ...ca.approved.intermediateCas].find((i) =>
          Buffer.from(i.cert).equals(Buffer.from(issuer.der)),
        );
      const url = info?.ocsp[0]?.url ?? cert.ocspUrls[0];
      if (!url) throw new CertRefused('no-ocsp', 'no OCSP responder known for the CA');
      const der = await this.fetchOcsp(url, buildOcspRequest(cert, issuer).der);
      // Keep the response even when it says revoked: peers must see it, and health reports it.
      st.der = der;
      this.checker.check(cert, [der], gconf);
      st.problem = undefined;
    } catch (err) {
      st.problem = err instanceof Error ? err.message : String(err);
      this.log.warn({ certificate: which, problem: st.problem }, 'own certificate status is not good');
    }
  }

  start(intervalMs: number, gconf: () => GlobalConf | undefined): void {
    this.timer = setInterval(() => {
      const conf = gconf();
      if (conf) void this.refresh(conf);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
