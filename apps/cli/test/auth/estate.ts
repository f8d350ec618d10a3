import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PhoneApp } from '@riik/authn';
import { generateIdCode } from '@riik/core';
import { createLogger } from '@riik/http';
import { Certificate, type DocumentType } from '@riik/pki';
import { caPaths, initCa, startCaServer, type RunningCa } from '@riik/service-ca';
import { initAuth, startAuthServer, type RunningAuth } from '@riik/service-auth';
import { tempDir } from '@riik/testing';
import type { EidToken } from '@riik/eid';
import { CaClient } from '../../src/ca-client.js';
import { issuePersonToken } from '../../src/estate/people.js';

export const KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };
export const PINS = { pin1: '1234', pin2: '12345', puk: '12345678' };
export const CLIENT = {
  client_id: 'riik-portal',
  client_secret: randomBytes(32).toString('base64url'),
  redirect_uri: 'http://127.0.0.1:1/callback',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestEstate {
  dir: string;
  ca: RunningCa;
  caClient: CaClient;
  auth: RunningAuth;
  person(
    documentType: DocumentType,
    holder?: Partial<{ idCode: string; givenName: string; surname: string }>,
  ): Promise<EidToken>;
  close(): Promise<void>;
}

/**
 * The simulated Smart-ID app (or, with a phone number, Mobile-ID SIM) of `token`, polling the login
 * service's SK endpoint: it answers every prompt with PIN1 and appends the verification code it
 * showed to `shown`.
 */
export async function startPhoneApp(
  estate: TestEstate,
  token: EidToken,
  shown: string[],
  mobileIdNumber?: string,
): Promise<PhoneApp> {
  const app = new PhoneApp({
    ...(mobileIdNumber
      ? { kind: 'mobile-id' as const, phoneNumber: mobileIdNumber }
      : { kind: 'smart-id' as const }),
    token,
    skUrl: `${estate.auth.url}/sk`,
    askPin: (prompt) => {
      shown.push(prompt.verificationCode);
      return Promise.resolve(PINS.pin1);
    },
  });
  await app.start(PINS.pin1);
  return app;
}

/** A CA and the login service on loopback ports, in one temporary data directory. */
export async function startTestEstate(
  options: {
    /** Listen on this port with the issuer known up front, and serve the demo e-service at /demo. */
    authPort?: number;
    databaseUrl?: string;
    cardReaderUrl?: string;
    skSessionTimeoutMs?: number;
    rateLimits?: { perIpPerMinute: number; perPersonPerMinute: number };
  } = {},
): Promise<TestEstate> {
  const dir = tempDir('riik-auth-');
  const caPort = await freePort();
  await initCa({ dataDir: dir.path, baseUrl: `http://127.0.0.1:${caPort}` });
  const ca = await startCaServer({ dataDir: dir.path, port: caPort, log: createLogger('ca', 'silent') });
  const caClient = new CaClient(ca.url, readFileSync(caPaths(dir.path).operatorToken, 'utf8').trim());
  const issuer = options.authPort ? `http://127.0.0.1:${options.authPort}` : 'http://127.0.0.1';
  initAuth({
    dataDir: dir.path,
    issuer,
    ...(options.authPort ? { demoClientId: 'riik-demo' } : {}),
    clients: [
      ...(options.authPort
        ? [
            {
              client_id: 'riik-demo',
              client_secret: randomBytes(32).toString('base64url'),
              redirect_uris: [`${issuer}/demo/callback`],
              token_endpoint_auth_method: 'client_secret_basic' as const,
            },
          ]
        : []),
      {
        client_id: CLIENT.client_id,
        client_name: 'riik portal',
        client_secret: CLIENT.client_secret,
        redirect_uris: [CLIENT.redirect_uri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    trustedCas: [Certificate.fromPem(readFileSync(caPaths(dir.path).cert('esteid'), 'utf8'))],
    cardReaderUrl: options.cardReaderUrl ?? 'http://127.0.0.1:1',
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  const schema = `auth_${process.pid}_${Date.now() % 1e6}`;
  const auth = await startAuthServer({
    dataDir: dir.path,
    port: options.authPort ?? 0,
    ...(options.authPort ? {} : { issuer: 'listen' }),
    log: createLogger('auth', 'silent'),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl, databaseSchema: schema } : {}),
    ...(options.skSessionTimeoutMs ? { skSessionTimeoutMs: options.skSessionTimeoutMs } : {}),
  });
  let n = 0;
  return {
    dir: dir.path,
    ca,
    caClient,
    auth,
    person: (documentType, holder = {}) => {
      n += 1;
      return issuePersonToken(caClient, {
        file: join(dir.path, `person-${n}.token`),
        holder: {
          idCode: holder.idCode ?? generateIdCode({ born: '1980-01-08', sex: 'male', serial: 100 + n }),
          givenName: holder.givenName ?? 'Jaak-Kristjan',
          surname: holder.surname ?? 'Jõeorg',
        },
        documentType,
        pins: PINS,
        kdf: KDF,
      });
    },
    close: async () => {
      await auth.close();
      await ca.close();
      dir.remove();
    },
  };
}

/** A cookie jar good enough for one browser-less login (respects cookie paths). */
export class Browser {
  private cookies = new Map<string, { value: string; path: string }>();

  constructor(readonly origin: string) {}

  private store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const expired = attrs.some(
        (a) => /^expires=Thu, 01 Jan 1970/i.test(a.trim()) || /^max-age=0$/i.test(a.trim()),
      );
      if (expired || value === '') this.cookies.delete(`${name}|${path}`);
      else this.cookies.set(`${name}|${path}`, { value, path });
    }
  }

  private header(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([k, c]) => `${k.split('|')[0]}=${c.value}`)
      .join('; ');
  }

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    const cookie = this.header(target);
    if (cookie) headers.set('cookie', cookie);
    if (init.method === 'POST' && !headers.has('origin')) headers.set('origin', this.origin);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }

  /** Follow redirects on our origin; stop at the first one elsewhere (the RP's callback). */
  async follow(url: string | URL): Promise<{ response: Response; url: URL }> {
    let target = new URL(url, this.origin);
    for (let i = 0; i < 10; i++) {
      if (target.origin !== this.origin)
        return { response: new Response(null, { status: 200 }), url: target };
      const response = await this.fetch(target);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: target };
      await response.body?.cancel();
      target = new URL(location, target);
    }
    throw new Error('too many redirects');
  }
}

export function csrfOf(html: string): string {
  const m = /data-csrf="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
}
