/**
 * OCSP responder benchmark (issue 2): riik's responder against `openssl ocsp -port` serving the
 * same certificates, driven by the same load generator in the same run; nonce requests against
 * the physical limit (raw P-384 signatures/s on this machine); latency at 1,000 requests/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sign, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { buildOcspRequest, personAuthProfile, spkiOf, type Certificate } from '@riik/pki';
import { caPaths, CertificateStore, initCa, loadCa } from '@riik/service-ca';
import { generateIdCode } from '@riik/core';
import { openssl, tempDir } from '@riik/testing';
import { abPost, heyPaced, wrkPost } from './lib/load.js';
import { syntheticName } from './lib/names.js';
import { fmt, report } from './report.js';
import { ensureTool } from './lib/tools.js';

const CERTS = 1000;
const RIIK_PORT = 18701;
const OPENSSL_PORT = 18702;

function waitPort(url: string, post?: Uint8Array): Promise<void> {
  const until = Date.now() + 20_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      fetch(
        url,
        post ? { method: 'POST', body: post, headers: { 'content-type': 'application/ocsp-request' } } : {},
      )
        .then(async (r) => {
          await r.arrayBuffer();
          resolve();
        })
        .catch(() =>
          Date.now() > until ? reject(new Error(`${url} did not come up`)) : setTimeout(attempt, 100),
        );
    };
    attempt();
  });
}

function rawSignaturesPerSecond(): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const data = Buffer.alloc(200, 1);
  let n = 0;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < 2_000_000_000n) {
    sign('sha384', data, { key: privateKey, dsaEncoding: 'der' });
    n++;
  }
  return n / 2;
}

function opensslTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

export async function run(): Promise<void> {
  ensureTool('wrk', 'wrk');
  ensureTool('ab', 'apache2-utils');
  ensureTool('hey', 'hey');
  const dir = tempDir('riik-bench-ocsp-');
  const children: ChildProcess[] = [];
  try {
    await initCa({ dataDir: dir.path, baseUrl: `http://127.0.0.1:${RIIK_PORT}` });
    const ca = loadCa(dir.path);
    const esteid = ca.issuers.get('esteid')!;
    const store = await CertificateStore.open(caPaths(dir.path).database);
    const certs: Certificate[] = [];
    const index: string[] = [];
    for (let i = 0; i < CERTS; i++) {
      const idCode = generateIdCode({ born: '1985-06-15', sex: i % 2 ? 'male' : 'female', serial: i % 1000 });
      const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
      const cert = await esteid.authority.issue(
        personAuthProfile({
          idCode,
          givenName: 'TEST',
          surname: syntheticName('PERSON', i),
          documentType: 'id-card',
        }),
        spkiOf(key.publicKey),
      );
      certs.push(cert);
      index.push(
        [
          'V',
          opensslTime(cert.notAfter),
          '',
          cert.serialHex.toUpperCase(),
          'unknown',
          '/' + cert.subjectString.replace(/,/g, '/'),
        ].join('\t'),
      );
    }
    await store.insertMany(
      certs.map((cert) => ({ cert, issuer: 'esteid', profile: 'person-auth' })),
      new Date(),
    );
    await store.close();

    // openssl's responder gets the same issuer, responder certificate and key, and the same certificates.
    const paths = caPaths(dir.path);
    writeFileSync(`${dir.path}/index.txt`, index.join('\n') + '\n');
    const pass = readFileSync(`${paths.keys}/keystore.pass`, 'utf8').trim();
    await openssl([
      'pkey',
      '-in',
      `${paths.keys}/ocsp.key.pem`,
      '-passin',
      `pass:${pass}`,
      '-out',
      `${dir.path}/ocsp.key`,
    ]);

    const riikBin = fileURLToPath(new URL('../../apps/cli/bin/riik.js', import.meta.url));
    children.push(
      spawn(process.execPath, [riikBin, 'serve', 'ca', '--data', dir.path, '--port', String(RIIK_PORT)], {
        stdio: 'ignore',
        env: { ...process.env, RIIK_LOG_LEVEL: 'warn' },
      }),
      spawn(
        'openssl',
        [
          'ocsp',
          '-index',
          `${dir.path}/index.txt`,
          '-port',
          String(OPENSSL_PORT),
          '-rsigner',
          paths.cert('ocsp-esteid'),
          '-rkey',
          `${dir.path}/ocsp.key`,
          '-CA',
          paths.cert('esteid'),
          '-ndays',
          '1',
        ],
        { stdio: 'ignore' },
      ),
    );
    const bodies = certs.map((c) => buildOcspRequest(c, esteid.authority.certificate).der);
    const nonceBodies = certs
      .slice(0, 100)
      .map((c) => buildOcspRequest(c, esteid.authority.certificate, { nonce: true }).der);
    const riikUrl = `http://127.0.0.1:${RIIK_PORT}/ocsp`;
    const opensslUrl = `http://127.0.0.1:${OPENSSL_PORT}/`;
    await waitPort(`http://127.0.0.1:${RIIK_PORT}/healthz`);
    await waitPort(opensslUrl, bodies[0]);
    // Warm riik's pre-signed responses, as a production responder is warm.
    for (const b of bodies)
      await fetch(riikUrl, {
        method: 'POST',
        body: b,
        headers: { 'content-type': 'application/ocsp-request' },
      }).then((r) => r.arrayBuffer());

    const type = 'application/ocsp-request';
    // Same generator and settings for both: ab with keep-alive offered (riik takes it, openssl
    // closes every connection), and ab with a new connection for every request.
    const riik = await abPost(riikUrl, bodies[0]!, type, dir.path, { keepAlive: true, requests: 100_000 });
    const peer = await abPost(opensslUrl, bodies[0]!, type, dir.path, { keepAlive: true, requests: 5_000 });
    const riikNew = await abPost(riikUrl, bodies[0]!, type, dir.path, { requests: 40_000 });
    const peerNew = await abPost(opensslUrl, bodies[0]!, type, dir.path, { requests: 5_000 });
    const riikNonce = await abPost(riikUrl, nonceBodies[0]!, type, dir.path, {
      keepAlive: true,
      requests: 5_000,
    });
    const peerNonce = await abPost(opensslUrl, nonceBodies[0]!, type, dir.path, {
      keepAlive: true,
      requests: 5_000,
    });
    // riik across many certificates (1,000 in rotation), as a national responder is asked.
    const riikRotation = await wrkPost(riikUrl, bodies, type, dir.path);
    const raw = rawSignaturesPerSecond();
    const paced = await heyPaced(riikUrl, bodies[0]!, type, dir.path, 1000, 10);
    const ratio = riik.requestsPerSecond / peer.requestsPerSecond;

    await report(
      'ocsp',
      'OCSP responder: riik vs openssl ocsp',
      'npm run bench -- ocsp',
      [
        {
          metric: 'nonce-less requests/s (ab -k -c32: keep-alive offered)',
          value: fmt(riik.requestsPerSecond),
          anchor: `openssl ocsp ${fmt(peer.requestsPerSecond)}`,
          ratio: `${fmt(ratio, 1)}×`,
          goal: '≥ 10×',
        },
        {
          metric: 'nonce-less requests/s (ab -c32: a new connection each)',
          value: fmt(riikNew.requestsPerSecond),
          anchor: `openssl ocsp ${fmt(peerNew.requestsPerSecond)}`,
          ratio: `${fmt(riikNew.requestsPerSecond / peerNew.requestsPerSecond, 1)}×`,
        },
        {
          metric: 'nonce requests/s (ab -k -c32; one P-384 signature each)',
          value: fmt(riikNonce.requestsPerSecond),
          anchor: `openssl ocsp ${fmt(peerNonce.requestsPerSecond)}; raw P-384 signatures/s in one process ${fmt(raw)}`,
          ratio: `${fmt(riikNonce.requestsPerSecond / peerNonce.requestsPerSecond, 2)}× openssl; ${fmt(riikNonce.requestsPerSecond / raw, 2)} of the limit`,
        },
        {
          metric: 'nonce-less requests/s over 1,000 certificates in rotation (wrk -c32, keep-alive)',
          value: fmt(riikRotation.requestsPerSecond),
        },
        {
          metric: 'latency at 1,000 requests/s (hey, 10 paced workers, keep-alive)',
          value: `p50 ${fmt(paced.p50, 1)} ms, p99 ${fmt(paced.p99, 1)} ms`,
          goal: 'p99 < 5 ms',
        },
      ],
      [
        `errors/non-2xx: keep-alive riik ${riik.errors}/${riik.non2xx}, openssl ${peer.errors}/${peer.non2xx}; new connections riik ${riikNew.errors}/${riikNew.non2xx}, openssl ${peerNew.errors}/${peerNew.non2xx}; nonce riik ${riikNonce.errors}/${riikNonce.non2xx}, openssl ${peerNonce.errors}/${peerNonce.non2xx}; rotation ${riikRotation.errors}/${riikRotation.non2xx}; paced ${paced.errors}`,
        'openssl ocsp -port answers HTTP/1.0, closes every connection and serves one at a time; wrk and autocannon stall it (it spins on a closed connection), so the head-to-head uses ab for both.',
        'With a new connection per request both servers spend most of their time in connection set-up; in a profile of riik under that load, a third of its time is idle and most of the rest is in the kernel (accept, writev, close), so ab and the kernel set the limit.',
        'riik: one Node process (`riik serve ca`), SQLite; openssl 3: `openssl ocsp -index -port`, one process (its default), same responder key and certificate; all on the same 2-core machine as the load generator.',
      ],
      {
        riik,
        peer,
        riikNew,
        peerNew,
        riikNonce,
        peerNonce,
        riikRotation,
        rawSignaturesPerSecond: raw,
        paced,
      },
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
