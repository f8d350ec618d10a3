import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { webEidSignedData } from '@riik/authn';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { buildCsr, Certificate, csrToPem } from '@riik/pki';
import { initAuth } from '@riik/service-auth';
import { caPaths, initCa } from '@riik/service-ca';
import { repoRoot, tempDir } from '@riik/testing';
import { Http1Client, type Http1Request, type Http1Response } from './lib/http1.js';
import { freePort } from './service.js';

const RIIK = join(repoRoot, 'apps', 'cli', 'bin', 'riik.js');

/** `riik serve <service>` as its own process (the benchmark client must not share its event loop). */
async function serve(service: string, dataDir: string, port: number, riik = RIIK): Promise<ChildProcess> {
  // RIIK_BENCH_PROFILE=<dir> writes a CPU profile of each service (see where a login's time goes)
  const profile = process.env.RIIK_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RIIK_BENCH_PROFILE}`]
    : [];
  // logging as deployed (info: one audit line per login), into /dev/null
  const child = spawn(
    process.execPath,
    [...profile, riik, 'serve', service, '--data', dataDir, '--port', String(port)],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`riik serve ${service} exited ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`riik serve ${service} did not become healthy`);
}

/**
 * One browser: its cookies, and its requests over the load generator's connections to the
 * login service (one origin, kept alive).
 */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly http: Http1Client) {}

  async request(url: URL, init: Http1Request = {}): Promise<Http1Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await this.http.request(url.pathname + url.search, { ...init, headers });
    const setCookie = answer.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : []) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return answer;
  }
}

/**
 * CPU time (user + system) a process has used, from /proc (Linux), in ms; undefined elsewhere.
 * With `thread`, that thread's alone (the process id is its main thread's).
 */
export function cpuMs(pid: number | undefined, thread?: number): number | undefined {
  try {
    const stat = readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export interface LoginEstate {
  issuer: string;
  /** The CA certificate that issued the card's certificate. */
  esteid: Certificate;
  /** The card's authentication certificate and key (the card side runs in this process). */
  certificate: Certificate;
  key: KeyObject;
  /** The login service's process id (for its CPU time). */
  authPid: number | undefined;
  /**
   * One complete ID-card login; resolves with its duration in ms. `step` is called after each
   * of its requests to the login service, with the request's name.
   */
  login(step?: (name: string) => void): Promise<number>;
  close(): Promise<void>;
}

/**
 * A CA and the login service as their own processes (`riik serve`), a person's card in this
 * process and an e-service (openid-client) that logs the person in: the load generator of the
 * login benchmark. A login is the whole code flow: authorization request, login page, challenge,
 * the card's signature, token submission (validation with the cached OCSP answer), resume, and
 * the code exchange with PKCE and the ID token checked against the JWKS.
 */
export async function startLoginEstate(options: { riik?: string } = {}): Promise<LoginEstate> {
  const dir = tempDir('riik-bench-auth-');
  const children: ChildProcess[] = [];
  let http: Http1Client | undefined;
  const close = async () => {
    http?.close();
    for (const child of children.reverse()) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r())),
      ),
    );
    dir.remove();
  };
  try {
    const caPort = await freePort();
    const authPort = await freePort();
    await initCa({ dataDir: dir.path, baseUrl: `http://127.0.0.1:${caPort}` });
    const issuer = `http://127.0.0.1:${authPort}`;
    const secret = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:1/callback';
    const esteid = Certificate.fromPem(readFileSync(caPaths(dir.path).cert('esteid'), 'utf8'));
    initAuth({
      dataDir: dir.path,
      issuer,
      clients: [
        {
          client_id: 'bench',
          client_secret: secret,
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      trustedCas: [esteid],
      cardReaderUrl: 'http://127.0.0.1:1',
      // one card logs in again and again: OCSP answers are reused for a minute, limits are off
      ocspCacheSeconds: 60,
      rateLimits: { perIpPerMinute: 1e9, perPersonPerMinute: 1e9 },
    });
    children.push(await serve('ca', dir.path, caPort));
    children.push(await serve('auth', dir.path, authPort, options.riik));

    // The card: a P-384 key certified by the CA for authentication, signing in this process.
    const key = generatePrivateKey('EC-P384');
    const operator = readFileSync(caPaths(dir.path).operatorToken, 'utf8').trim();
    const issued = await fetch(`http://127.0.0.1:${caPort}/api/v1/certificates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        profile: 'person-auth',
        csr: csrToPem(await buildCsr(new SoftwareSigner(key))),
        subject: {
          idCode: '38001085718',
          givenName: 'JAAK-KRISTJAN',
          surname: 'JÕEORG',
          documentType: 'id-card',
        },
      }),
    }).then((r) => r.json() as Promise<{ certificate: string }>);
    const certificate = Certificate.fromPem(issued.certificate);
    const certificateB64 = Buffer.from(certificate.der).toString('base64');
    // The card's PSO over the SHA-384 digest equals signing the data with SHA-384; node's native
    // ECDSA keeps the client's share of the CPU small.
    const cardSign = (origin: string, nonce: string) => ({
      unverifiedCertificate: certificateB64,
      algorithm: 'ES384',
      signature: sign('sha384', webEidSignedData('ES384', origin, nonce), {
        key,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64'),
      format: 'web-eid:1.0',
      appVersion: 'https://riik.invalid/bench/1.0.0',
    });

    const config = await oidc.discovery(new URL(issuer), 'bench', secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.enableNonRepudiationChecks(config);
    // The e-service's own requests (JWKS, code exchange) on the same client: its
    // connections are the e-service's back channel to the login service.
    http = new Http1Client(new URL(issuer));
    const backChannel = http;
    config[oidc.customFetch] = async (url, options) => {
      const body = options.body;
      const target = new URL(url);
      const answer = await backChannel.request(target.pathname + target.search, {
        method: options.method,
        headers: options.headers,
        ...(body === undefined || body === null ? {} : { body: String(body as URLSearchParams | string) }),
      });
      const headers = new Headers();
      for (const [k, v] of Object.entries(answer.headers)) {
        if (k !== 'set-cookie') headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      return new Response(answer.body, { status: answer.status, headers });
    };

    async function login(step: (name: string) => void = () => undefined): Promise<number> {
      const started = performance.now();
      const browser = new Browser(backChannel);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid idcard',
        // RFC 7636 S256, as oidc.calculatePKCECodeChallenge computes it, without a WebCrypto job
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state,
      });
      const a = await browser.request(authUrl);
      step('GET /auth');
      const loginUrl = new URL(a.headers.location as string, issuer);
      const page = await browser.request(loginUrl);
      const csrf = /data-csrf="([^"]+)"/.exec(page.body)![1]!;
      step('GET /login/:uid');
      const post = async (path: string, body: unknown) => {
        const r = await browser.request(new URL(`${loginUrl.href}${path}`), {
          method: 'POST',
          headers: { origin: issuer, 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        });
        return JSON.parse(r.body) as { nonce?: string; redirect?: string; error?: string };
      };
      const { nonce } = await post('/idcard/challenge', {});
      step('POST /login/:uid/idcard/challenge');
      const done = await post('/idcard', { authToken: cardSign(issuer, nonce!) });
      step('POST /login/:uid/idcard');
      if (!done.redirect) throw new Error(`login refused: ${done.error}`);
      const resumed = await browser.request(new URL(done.redirect));
      step('GET /auth/:uid (resume)');
      const callback = new URL(resumed.headers.location as string);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      step('POST /token');
      if (tokens.claims()?.sub !== 'EE38001085718') throw new Error('wrong subject');
      return performance.now() - started;
    }

    return { issuer, esteid, certificate, key, authPid: children[1]?.pid, login, close };
  } catch (err) {
    await close();
    throw err;
  }
}
