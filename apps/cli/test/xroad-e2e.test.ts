import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareKeystore } from '@riik/keys';
import { buildOcspRequest, Certificate } from '@riik/pki';
import { caPaths } from '@riik/service-ca';
import { securityServerPaths } from '@riik/service-security-server';
import { runTool, tempDir } from '@riik/testing';
import {
  buildRestRequestPart,
  MultipartWriter,
  newBoundary,
  parseRestRequest,
  parseSoapFault,
  PartType,
  signMessages,
  XRoadClient,
  XRoadClientId,
  XRoadServiceId,
} from '@riik/xroad';
import type { EstateContext } from '../src/estate/registry.js';
import { eventually, fastTimers, prepareEstate, RIIK_BIN, Service } from './estate-harness.js';

const BASE = 20_000 + (process.pid % 150) * 50;
const EMTA = 'EE-DEV/GOV/70000349/emta';
const ARIREG = 'EE-DEV/GOV/70000310/arireg';
const RR = 'EE-DEV/GOV/70000562/rr';

interface Reply {
  status: number;
  error: string | null;
  body: string;
  json: () => Record<string, unknown>;
}

async function call(clientUrl: string, client: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const r = await fetch(`${clientUrl}/r1/${path}`, {
    ...init,
    headers: { 'X-Road-Client': client, ...(init.headers as object) },
    signal: AbortSignal.timeout(30_000),
  });
  const body = await r.text();
  return {
    status: r.status,
    error: r.headers.get('x-road-error'),
    body,
    json: () => JSON.parse(body) as Record<string, unknown>,
  };
}

describe('X-Road end to end (real processes on loopback)', () => {
  const dir = tempDir('riik-xroad-e2e-');
  const ctx: EstateContext = { dataDir: dir.path, portBase: BASE, host: '127.0.0.1' };
  const services: Service[] = [];
  let central: Service;
  let tsa: Service;
  const emtaUrl = `http://127.0.0.1:${BASE + 12}`;
  const arireUrl = `http://127.0.0.1:${BASE + 14}`;
  let echo: Server;
  const caToken = () => readFileSync(caPaths(dir.path).operatorToken, 'utf8').trim();
  const adminToken = (name: string) =>
    readFileSync(securityServerPaths(dir.path, name).adminToken, 'utf8').trim();
  const admin = async (port: number, name: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}/admin/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminToken(name)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await r.json()) as Record<string, unknown>;
    expect(r.ok, JSON.stringify(json)).toBe(true);
    return json;
  };
  const caOp = async (serial: string, action: 'suspend' | 'resume' | 'revoke') => {
    const r = await fetch(`http://127.0.0.1:${BASE + 1}/api/v1/certificates/${serial}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caToken()}`, 'content-type': 'application/json' },
      body: action === 'revoke' ? JSON.stringify({ reason: 'keyCompromise' }) : '{}',
    });
    expect(r.status, await r.text()).toBe(200);
  };
  const authSerial = (name: string) =>
    Certificate.fromPem(readFileSync(securityServerPaths(dir.path, name).authCert, 'utf8')).serialHex;

  beforeAll(async () => {
    await prepareEstate(ctx);
    fastTimers(ctx, ['ss-rr', 'ss-emta', 'ss-arireg']);
    echo = createServer((req, res) => {
      res.writeHead(200, {
        'content-type': req.headers['content-type'] ?? 'application/octet-stream',
        'x-echo': 'yes',
      });
      // Read the whole request first: the security server passes the response on only after the
      // request (a provider answering mid-request would wait for it).
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(Buffer.concat(chunks)));
    });
    await new Promise<void>((r) => echo.listen(BASE + 31, '127.0.0.1', r));
    const ca = new Service(dir.path, 'ca', 'ca', BASE + 1);
    tsa = new Service(dir.path, 'tsa', 'tsa', BASE + 2);
    central = new Service(dir.path, 'central-server', 'central-server', BASE + 3);
    const rr = new Service(dir.path, 'rr', 'rr', BASE + 30);
    const ss = (name: string, port: number) =>
      new Service(dir.path, name, 'security-server', port, [
        '--config',
        securityServerPaths(dir.path, name).config,
      ]);
    // The CA, TSA, central server and registry do not need each other to start; the security
    // servers need the CA (OCSP) and the central server (global configuration).
    for (const group of [
      [ca, tsa, central, rr],
      [ss('ss-rr', BASE + 10), ss('ss-emta', BASE + 12), ss('ss-arireg', BASE + 14)],
    ]) {
      services.push(...group);
      await Promise.all(group.map((s) => s.start()));
    }
    // A REST service with bodies: an echo provider registered at the population register's server.
    await admin(BASE + 10, 'ss-rr', '/services', {
      provider: RR,
      serviceCode: 'echo',
      url: `http://127.0.0.1:${BASE + 31}/echo`,
      endpoints: [{ method: 'POST', path: '/**' }],
    });
    await admin(BASE + 10, 'ss-rr', '/access-rights', { provider: RR, serviceCode: 'echo', subject: EMTA });
  }, 120_000);

  afterAll(async () => {
    for (const s of [...services].reverse()) await s.stop();
    await new Promise<void>((r) => echo?.close(() => r()));
    if (!process.env.RIIK_KEEP_E2E) dir.remove();
  }, 60_000);

  it('a consumer with access gets the person from the population register', async () => {
    const r = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
    expect(r.status, r.body).toBe(200);
    expect(r.json()).toMatchObject({ idCode: '38001085718', givenName: 'JAAK-KRISTJAN', surname: 'JÕEORG' });
  });

  it('an information system written for X-Road (XRoadClient) talks to riik unchanged', async () => {
    const client = new XRoadClient({ securityServerUrl: emtaUrl, client: XRoadClientId.parse(EMTA) });
    const res = await client.get(XRoadServiceId.parse(`${RR}/persons`), '/38001085718', {
      userId: 'EE38001085718',
      issue: 'e2e-1',
    });
    expect(res.ok).toBe(true);
    expect(res.xRoad.requestHash).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect((await res.json<{ surname: string }>()).surname).toBe('JÕEORG');
    const methods = await client.allowedMethods(XRoadClientId.parse(RR));
    expect(methods.map((m) => m.service.serviceCode).sort()).toEqual(['echo', 'persons']);
  });

  it('a consumer without access gets Server.ServerProxy.AccessDenied', async () => {
    const r = await call(arireUrl, ARIREG, `${RR}/persons/38001085718`);
    expect(r.status).toBe(500);
    expect(r.error).toBe('Server.ServerProxy.AccessDenied');
    expect(r.json().type).toBe('Server.ServerProxy.AccessDenied');
  });

  it('an unknown service is Server.ServerProxy.UnknownService; a malformed request is a Client error', async () => {
    const r = await call(emtaUrl, EMTA, `${RR}/nosuchservice/1`);
    expect(r.error).toBe('Server.ServerProxy.UnknownService');
    const bad = await call(emtaUrl, 'not/a/client/id/at/all', `${RR}/persons/1`);
    expect(bad.status).toBe(400);
    expect(bad.error).toBe('Client.InvalidClientIdentifier');
    const foreign = await call(emtaUrl, ARIREG, `${RR}/persons/38001085718`);
    expect(foreign.error).toBe('Server.ClientProxy.UnknownMember');
  });

  it('streams bodies both ways, small and larger than the verification buffer', async () => {
    for (const size of [0, 1000, 3 * 1024 * 1024]) {
      const body = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i++) body[i] = (i * 7919) % 251;
      const r = await fetch(`${emtaUrl}/r1/${RR}/echo/x?size=${size}`, {
        method: 'POST',
        headers: { 'X-Road-Client': EMTA, 'content-type': 'application/octet-stream' },
        body,
      });
      const back = Buffer.from(await r.arrayBuffer());
      expect(r.status).toBe(200);
      expect(r.headers.get('x-echo')).toBe('yes');
      expect(createHash('sha256').update(back).digest('hex')).toBe(
        createHash('sha256').update(body).digest('hex'),
      );
    }
  });

  it('detects a tampered message and a tampered signature (as a client security server would send them)', async () => {
    const paths = securityServerPaths(dir.path, 'ss-emta');
    const keystore = SoftwareKeystore.open(paths.keys);
    const sign = {
      signer: keystore.signer('sign'),
      certificate: Certificate.fromPem(readFileSync(paths.signCert, 'utf8')),
    };
    const authPem = readFileSync(paths.authCert, 'utf8');
    const org = Certificate.fromPem(readFileSync(caPaths(dir.path).cert('org'), 'utf8'));
    const root = Certificate.fromPem(readFileSync(caPaths(dir.path).cert('root'), 'utf8'));
    const ocsp = async (cert: Certificate) =>
      new Uint8Array(
        await (
          await fetch(`http://127.0.0.1:${BASE + 1}/ocsp`, {
            method: 'POST',
            headers: { 'content-type': 'application/ocsp-request' },
            body: buildOcspRequest(cert, org).der,
          })
        ).arrayBuffer(),
      );
    const authOcsp = await ocsp(Certificate.fromPem(authPem));
    const signKey = { ...sign, ocspResponses: [await ocsp(sign.certificate)] };
    const send = async (mutate: 'body' | 'signature'): Promise<string> => {
      const request = parseRestRequest('POST', `/r1/${RR}/echo/x`, [
        ['X-Road-Client', EMTA],
        ['Content-Type', 'text/plain'],
      ]);
      const part = buildRestRequestPart(request, { requestId: 'req-1', newMessageId: () => 'msg-1' });
      const sha = (b: Uint8Array | string) => new Uint8Array(createHash('sha512').update(b).digest());
      const [sig] = await signMessages(
        signKey,
        [{ message: sha(part.bytes), attachments: [sha('signed body')] }],
        new Date(),
      );
      let xml = sig!.signatureXml;
      if (mutate === 'signature') {
        const v = /<ds:SignatureValue Id="SIG-VALUE">([^<]+)</.exec(xml)![1]!;
        const b = Buffer.from(v, 'base64');
        b[10]! ^= 0xff;
        xml = xml.replace(v, b.toString('base64'));
      }
      const w = new MultipartWriter(newBoundary());
      const body = Buffer.concat([
        w.start(PartType.ocspResponse),
        authOcsp,
        w.start(PartType.restRequest),
        part.bytes,
        w.start(PartType.restBody),
        Buffer.from(mutate === 'body' ? 'TAMPERED body' : 'signed body'),
        w.start(PartType.hashChainResult),
        Buffer.from(sig!.hashChainResult!),
        w.start(PartType.hashChain),
        Buffer.from(sig!.hashChain!),
        w.start(PartType.signature),
        Buffer.from(xml),
        w.end(),
      ]);
      const passphrase = readFileSync(join(paths.keys, 'keystore.pass'), 'utf8').trim();
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: BASE + 11,
            method: 'POST',
            path: '/',
            key: readFileSync(join(paths.keys, 'auth.key.pem')),
            passphrase,
            cert: authPem,
            ca: [root.toPem(), org.toPem()],
            checkServerIdentity: () => undefined,
            headers: { 'content-type': w.contentType },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve(
                parseSoapFault(Buffer.concat(chunks).toString())?.code ?? `no fault (${res.statusCode})`,
              ),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    };
    expect(await send('body')).toBe('Server.ServerProxy.InvalidHashChainRef');
    expect(await send('signature')).toBe('Server.ServerProxy.InvalidSignatureValue');
  });

  it('refuses a client security server whose authentication certificate is not registered', async () => {
    // An impostor of ss-emta: same identity and clients, its own key and certificate from the CA,
    // but that certificate was never registered at the central server.
    const name = 'ss-impostor';
    const { initSecurityServer, installCertificates } = await import('@riik/service-security-server');
    const { loadCa } = await import('@riik/service-ca');
    const { xroadAuthProfile, xroadSignProfile } = await import('@riik/pki');
    const config = JSON.parse(
      readFileSync(securityServerPaths(dir.path, 'ss-emta').config, 'utf8'),
    ) as Record<string, unknown>;
    const keys = initSecurityServer(dir.path, {
      ...(config as unknown as Parameters<typeof initSecurityServer>[1]),
      name,
      clientProxyPort: BASE + 16,
      serverProxyPort: BASE + 17,
      publicAddress: `127.0.0.1:${BASE + 17}`,
    });
    const issuer = loadCa(dir.path).issuers.get('org')!.authority;
    const subject = { name: 'Maksu- ja Tolliamet', memberCode: '70000349' };
    const auth = await issuer.issue(
      xroadAuthProfile({ ...subject, instance: 'EE-DEV', memberClass: 'GOV', serverCode: 'ss-emta' }),
      keys.authSpki,
    );
    const sign = await issuer.issue(xroadSignProfile(subject), keys.signSpki);
    // Issued through the CA's operator API would record them; here the CA records them directly.
    const { CertificateStore } = await import('@riik/service-ca');
    const store = await CertificateStore.open(caPaths(dir.path).database);
    await store.insert(auth, { issuer: 'org', profile: 'xroad-auth' }, new Date());
    await store.insert(sign, { issuer: 'org', profile: 'xroad-sign' }, new Date());
    await store.close();
    installCertificates(dir.path, name, { auth, sign });
    const impostor = new Service(dir.path, name, 'security-server', BASE + 16, [
      '--config',
      securityServerPaths(dir.path, name).config,
    ]);
    await impostor.start();
    services.push(impostor);
    const r = await call(`http://127.0.0.1:${BASE + 16}`, EMTA, `${RR}/persons/38001085718`);
    expect(r.error, r.body).toBe('Server.ServerProxy.SslAuthenticationFailed');
    expect(r.body).toContain('not registered');
    await impostor.stop();
  });

  it('registers a new security server through signed requests and the operator (riik xroad register, riik central approve)', async () => {
    const { initSecurityServer, installCertificates } = await import('@riik/service-security-server');
    const { loadCa, CertificateStore } = await import('@riik/service-ca');
    const { xroadAuthProfile, xroadSignProfile } = await import('@riik/pki');
    const name = 'ss-new';
    const base = JSON.parse(
      readFileSync(securityServerPaths(dir.path, 'ss-arireg').config, 'utf8'),
    ) as Parameters<typeof initSecurityServer>[1];
    const keys = initSecurityServer(dir.path, {
      ...base,
      name,
      serverId: 'EE-DEV/GOV/70000310/ss-new',
      clients: ['EE-DEV/GOV/70000310/ariregister2'],
      clientProxyPort: BASE + 18,
      serverProxyPort: BASE + 19,
      publicAddress: `127.0.0.1:${BASE + 19}`,
    });
    const issuer = loadCa(dir.path).issuers.get('org')!.authority;
    const subject = { name: 'Registrite ja Infosüsteemide Keskus', memberCode: '70000310' };
    const auth = await issuer.issue(
      xroadAuthProfile({ ...subject, instance: 'EE-DEV', memberClass: 'GOV', serverCode: 'ss-new' }),
      keys.authSpki,
    );
    const sign = await issuer.issue(xroadSignProfile(subject), keys.signSpki);
    const store = await CertificateStore.open(caPaths(dir.path).database);
    await store.insert(auth, { issuer: 'org', profile: 'xroad-auth' }, new Date());
    await store.insert(sign, { issuer: 'org', profile: 'xroad-sign' }, new Date());
    await store.close();
    installCertificates(dir.path, name, { auth, sign });

    const cli = (...args: string[]) =>
      runTool(process.execPath, [RIIK_BIN, ...args, '--data', dir.path, '--json']);
    const central = ['--central', `http://127.0.0.1:${BASE + 3}`];
    const filed = await cli('xroad', 'register', name, ...central);
    expect(filed.status, filed.out).toBe(0);
    const requests = (
      JSON.parse(filed.out) as { requests: Array<{ id: number; type: string; status: string }> }
    ).requests;
    expect(requests.map((r) => [r.type, r.status])).toEqual([
      ['auth-cert-reg', 'submitted'],
      ['client-reg', 'submitted'],
    ]);
    const url = ['--url', `http://127.0.0.1:${BASE + 3}`];
    const listed = await cli('central', 'requests', ...url);
    expect(listed.out).toContain('ss-new');
    for (const r of requests) {
      const approved = await cli('central', 'approve', String(r.id), ...url);
      expect(approved.status, approved.out).toBe(0);
      expect((JSON.parse(approved.out) as { status: string }).status).toBe('approved');
    }
    // The next global configuration carries the server, its certificate and its new client.
    const shared = await eventually(async () => {
      const dirResp = await fetch(`http://127.0.0.1:${BASE + 3}/internalconf`);
      const text = await dirResp.text();
      const location = /Content-location: (\S+shared-params\.xml)/.exec(text)?.[1];
      const xml = location ? await (await fetch(`http://127.0.0.1:${BASE + 3}${location}`)).text() : '';
      return xml.includes('<serverCode>ss-new</serverCode>') ? xml : undefined;
    });
    expect(shared).toContain('<subsystemCode>ariregister2</subsystemCode>');
    expect(shared).toContain(`<address>127.0.0.1:${BASE + 19}</address>`);

    // The registered server works — here with its client proxy over TLS (a certificate for it made
    // with openssl): its new subsystem reaches the population register and is refused access there.
    const tlsDir = join(dir.path, 'client-tls');
    const made = await runTool('sh', [
      '-c',
      `mkdir -p ${tlsDir} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout ${tlsDir}/key.pem -out ${tlsDir}/cert.pem`,
    ]);
    expect(made.status, made.out).toBe(0);
    const configFile = securityServerPaths(dir.path, name).config;
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      configFile,
      JSON.stringify({
        ...config,
        clientProxyTls: { certFile: `${tlsDir}/cert.pem`, keyFile: `${tlsDir}/key.pem` },
      }),
    );
    const ssNew = new Service(
      dir.path,
      name,
      'security-server',
      BASE + 18,
      ['--config', configFile],
      'https',
    );
    await ssNew.start();
    services.push(ssNew);
    const curl = await runTool('curl', [
      '-s',
      '--cacert',
      `${tlsDir}/cert.pem`,
      '-H',
      'X-Road-Client: EE-DEV/GOV/70000310/ariregister2',
      `https://127.0.0.1:${BASE + 18}/r1/${RR}/persons/38001085718`,
    ]);
    expect(curl.out).toContain('"type":"Server.ServerProxy.AccessDenied"');
    await ssNew.stop();
  });

  it('refuses peers whose authentication certificate is suspended or revoked, at TLS', async () => {
    // The provider's certificate suspended: the consumer's server refuses the provider's handshake.
    await caOp(authSerial('ss-rr'), 'suspend');
    const refused = await eventually(
      async () => {
        const r = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
        return r.error === 'Server.ClientProxy.SslAuthenticationFailed' ? r : undefined;
      },
      15_000,
      'the provider to be refused',
    );
    expect(refused.body).toContain('suspended');
    await caOp(authSerial('ss-rr'), 'resume');
    await eventually(async () =>
      (await call(emtaUrl, EMTA, `${RR}/persons/38001085718`)).status === 200 ? true : undefined,
    );

    // The consumer's certificate suspended: the provider's server refuses the consumer.
    await caOp(authSerial('ss-emta'), 'suspend');
    const refused2 = await eventually(
      async () => {
        const r = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
        return r.error === 'Server.ServerProxy.SslAuthenticationFailed' ||
          r.error === 'Server.ClientProxy.SslAuthenticationFailed'
          ? r
          : undefined;
      },
      15_000,
      'the consumer to be refused',
    );
    expect(refused2.body).toContain('suspended');
    await caOp(authSerial('ss-emta'), 'resume');
    await eventually(async () =>
      (await call(emtaUrl, EMTA, `${RR}/persons/38001085718`)).status === 200 ? true : undefined,
    );

    // Revoked for good: the business register's server can no longer talk to anyone.
    await caOp(authSerial('ss-arireg'), 'revoke');
    const refused3 = await eventually(
      async () => {
        const r = await call(arireUrl, ARIREG, `${RR}/persons/38001085718`);
        return r.error?.endsWith('SslAuthenticationFailed') ? r : undefined;
      },
      15_000,
      'the revoked server to be refused',
    );
    expect(refused3.body).toContain('revoked');
  });

  it('time-stamps the message log; within the grace period an outage is tolerated, beyond it traffic stops', async () => {
    const stamped = async () => {
      const s = await admin(BASE + 12, 'ss-emta', '/timestamp', {});
      return s;
    };
    await stamped();
    const status = await admin(BASE + 12, 'ss-emta', '/status');
    expect((status.messageLog as { refusing: unknown }).refusing).toBeNull();
    await tsa.stop();
    // Within the grace period (3 s here): still served, logged, waiting for a time-stamp.
    const within = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
    expect(within.status, within.body).toBe(200);
    const refused = await eventually(
      async () => {
        const r = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
        return r.error ? r : undefined;
      },
      15_000,
      'traffic to stop',
    );
    expect(refused.error).toMatch(/^Server\.(ClientProxy|ServerProxy)\.TimestampingFailed$/);
    await tsa.start();
    await eventually(
      async () =>
        (await call(emtaUrl, EMTA, `${RR}/persons/38001085718`)).status === 200 ? true : undefined,
      15_000,
      'recovery',
    );
  });

  it('archives the message log into ASiC containers that verify-log accepts, and detects a modified archive', async () => {
    // Enough concurrent exchanges for batch signatures and a time-stamp run marking its records in
    // several slices.
    await Promise.all(Array.from({ length: 80 }, () => call(emtaUrl, EMTA, `${RR}/persons/38001085718`)));
    await fetch(`${emtaUrl}/r1/${RR}/echo/x`, {
      method: 'POST',
      headers: { 'X-Road-Client': EMTA },
      body: 'archived body',
    });
    await eventually(async () => {
      const s = await admin(BASE + 12, 'ss-emta', '/timestamp', {});
      return (s.stamped as number) === 0 && !s.error ? true : undefined;
    });
    const first = (await admin(BASE + 12, 'ss-emta', '/archive', {})).archives as string[];
    expect(first.length).toBeGreaterThan(0);
    const verify = async (file: string, previous?: string) =>
      runTool(process.execPath, [
        RIIK_BIN,
        'xroad',
        'verify-log',
        file,
        '--json',
        '--data',
        dir.path,
        ...(previous ? ['--previous', previous] : []),
      ]);
    const ok = await verify(first[0]!);
    expect(ok.status, ok.out).toBe(0);
    const report = JSON.parse(ok.out) as {
      ok: boolean;
      lastDigest: string;
      containers: Array<{ ok: boolean; signer: string }>;
    };
    expect(report.ok).toBe(true);
    expect(report.containers.length).toBeGreaterThan(160);
    expect(report.containers.every((c) => c.ok)).toBe(true);

    // The next archive continues the chain from the last one.
    await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
    await eventually(async () =>
      (await admin(BASE + 12, 'ss-emta', '/timestamp', {})).stamped === 0 ? true : undefined,
    );
    const second = (await admin(BASE + 12, 'ss-emta', '/archive', {})).archives as string[];
    const archives = first.length > 1 ? first : [...first, ...second];
    const next = await verify(
      archives.at(-1)!,
      JSON.parse((await verify(archives.at(-2)!)).out).lastDigest as string,
    );
    expect(next.status, next.out).toBe(0);
    expect((await verify(archives.at(-1)!, 'ab'.repeat(64))).status).toBe(1);

    // One byte changed inside a stored container: the archive no longer verifies.
    const bytes = readFileSync(first[0]!);
    const at = bytes.indexOf(Buffer.from('JÕEORG'));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'X'.charCodeAt(0);
    const modified = join(dir.path, 'modified.zip');
    writeFileSync(modified, bytes);
    const bad = await verify(modified);
    expect(bad.status).toBe(1);
    expect((JSON.parse(bad.out) as { ok: boolean }).ok).toBe(false);
    expect(
      readdirSync(securityServerPaths(dir.path, 'ss-emta').archive).some((f) => f.startsWith('mlog-')),
    ).toBe(true);
  });

  it('operational monitoring records every exchange; /metrics exposes counters', async () => {
    const records = (await admin(BASE + 10, 'ss-rr', '/opmon?limit=1000')).records as Array<
      Record<string, unknown>
    >;
    expect(
      records.some((r) => r.securityServerType === 'Producer' && r.client === EMTA && r.succeeded === true),
    ).toBe(true);
    expect(records.some((r) => r.faultCode === 'Server.ServerProxy.AccessDenied')).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${BASE + 10}/metrics`)).text();
    expect(metrics).toMatch(/riik_xroad_messages_total\{[^}]*type="Producer"[^}]*\} \d+/);
  });

  it('refuses to serve with OutdatedGlobalConf once the global configuration has expired', async () => {
    await central.stop();
    const r = await eventually(
      async () => {
        const x = await call(emtaUrl, EMTA, `${RR}/persons/38001085718`);
        return x.error ? x : undefined;
      },
      15_000,
      'the configuration to expire',
    );
    expect(r.error).toMatch(/^Server\.(ClientProxy|ServerProxy)\.OutdatedGlobalConf$/);
    await central.start();
    await eventually(
      async () =>
        (await call(emtaUrl, EMTA, `${RR}/persons/38001085718`)).status === 200 ? true : undefined,
      15_000,
      'recovery',
    );
  });
});
