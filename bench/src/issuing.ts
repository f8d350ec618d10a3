/**
 * Issuing and scale benchmark (issue 2): 10,000 ID-cards (20,000 certificates) into a CA, and
 * OCSP status lookups with 20,000 against 1.3 million certificates in the database (Estonia's
 * population), to show they stay constant-time. The physical limit for issuing is one P-384
 * signature per certificate.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { generateIdCode } from '@riik/core';
import { buildOcspRequest, personAuthProfile, personSignProfile, type Certificate } from '@riik/pki';
import { caPaths, CertificateStore, initCa, loadCa, OcspResponder } from '@riik/service-ca';
import { tempDir } from '@riik/testing';
import { syntheticName } from './lib/names.js';
import { fmt, report } from './report.js';

const CARDS = 10_000;
const POPULATION = 1_300_000;
const LOOKUPS = 20_000;

/** A pool of public keys: key generation happens on the card, not at the CA, so it is not timed. */
function keyPool(n: number): Uint8Array[] {
  return Array.from(
    { length: n },
    () =>
      new Uint8Array(
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }),
      ),
  );
}

async function lookupMicros(store: CertificateStore, serials: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) await store.status(serials[(i * 7919) % serials.length]!);
  return Number(process.hrtime.bigint() - start) / 1000 / LOOKUPS;
}

async function ocspMissMicros(responder: OcspResponder, bodies: Uint8Array[]): Promise<number> {
  // Nonce requests are never cached: each is a database lookup plus one signature.
  const start = process.hrtime.bigint();
  for (const b of bodies) await responder.respond(b);
  return Number(process.hrtime.bigint() - start) / 1000 / bodies.length;
}

export async function run(): Promise<void> {
  const dir = tempDir('riik-bench-issuing-');
  try {
    await initCa({ dataDir: dir.path });
    const ca = loadCa(dir.path);
    const esteid = ca.issuers.get('esteid')!;
    const file = caPaths(dir.path).database;
    const store = await CertificateStore.open(file);

    process.stderr.write(`generating ${fmt(CARDS * 2)} card key pairs (card side, untimed)...\n`);
    const keys = keyPool(200);
    process.stderr.write(`issuing ${fmt(CARDS)} ID-cards...\n`);
    const started = process.hrtime.bigint();
    const issued: Certificate[] = [];
    for (let i = 0; i < CARDS; i += 500) {
      const batch: Array<{ cert: Certificate; issuer: string; profile: string; idCode: string }> = [];
      for (let j = i; j < Math.min(CARDS, i + 500); j++) {
        const idCode = generateIdCode({ born: '1990-01-01', sex: 'female', serial: j % 1000 });
        const person = {
          idCode,
          givenName: 'MARI',
          surname: syntheticName('TAMM', j),
          documentType: 'id-card' as const,
        };
        const auth = await esteid.authority.issue(personAuthProfile(person), keys[(2 * j) % keys.length]!);
        const signCert = await esteid.authority.issue(
          personSignProfile(person),
          keys[(2 * j + 1) % keys.length]!,
        );
        batch.push(
          { cert: auth, issuer: 'esteid', profile: 'person-auth', idCode },
          { cert: signCert, issuer: 'esteid', profile: 'person-sign', idCode },
        );
        issued.push(auth);
      }
      await store.insertMany(batch, new Date());
      process.stderr.write(`\r  ${fmt(Math.min(CARDS, i + 500))}/${fmt(CARDS)}`);
    }
    const issueSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write('\n');

    // The physical limit: one P-384 signature per certificate.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    let n = 0;
    const t0 = process.hrtime.bigint();
    while (process.hrtime.bigint() - t0 < 2_000_000_000n) {
      sign('sha512', Buffer.alloc(700), { key: privateKey, dsaEncoding: 'der' });
      n++;
    }
    const rawPerSecond = n / 2;

    const serials = issued.map((c) => c.serialHex);
    const responder = new OcspResponder(ca, store);
    const nonceBodies = issued
      .slice(0, 500)
      .map((c) => buildOcspRequest(c, esteid.authority.certificate, { nonce: true }).der);
    const small = {
      lookup: await lookupMicros(store, serials),
      ocsp: await ocspMissMicros(responder, nonceBodies),
    };
    const smallCount = await store.count();

    // Grow to Estonia's population with synthetic rows (the status lookup reads only the key).
    process.stderr.write(`adding ${fmt(POPULATION - smallCount)} synthetic certificates...\n`);
    const raw = new SQLite(file);
    const insert = raw.prepare(
      `INSERT INTO certificates (serial, issuer, profile, subject, id_code, not_before, not_after, state, revoked_at, reason, der, issued_at)
       VALUES (?, 'esteid', 'person-auth', 'CN=SYNTHETIC', NULL, 0, 0, 'good', NULL, NULL, ?, 0)`,
    );
    const filler = Buffer.alloc(64);
    const fill = raw.transaction((count: number) => {
      for (let i = 0; i < count; i++) insert.run(randomBytes(16).toString('hex').replace(/^./, '1'), filler);
    });
    for (let done = smallCount; done < POPULATION; done += 100_000)
      fill(Math.min(100_000, POPULATION - done));
    raw.close();
    const bigCount = await store.count();
    const big = {
      lookup: await lookupMicros(store, serials),
      ocsp: await ocspMissMicros(responder, nonceBodies),
    };
    await store.close();

    await report(
      'issuing',
      'CA issuing and OCSP lookups at population scale',
      'npm run bench -- issuing',
      [
        {
          metric: `issue ${fmt(CARDS)} ID-cards (${fmt(CARDS * 2)} certificates, stored)`,
          value: `${fmt(issueSeconds, 1)} s = ${fmt((CARDS * 2) / issueSeconds)} certificates/s`,
          anchor: `raw P-384 signatures/s: ${fmt(rawPerSecond)}`,
          ratio: fmt((CARDS * 2) / issueSeconds / rawPerSecond, 2),
        },
        {
          metric: 'status lookup by serial (primary key), µs',
          value: `${fmt(bigCount)} rows: ${fmt(big.lookup, 1)}`,
          anchor: `${fmt(smallCount)} rows: ${fmt(small.lookup, 1)}`,
          ratio: `${fmt(big.lookup / small.lookup, 2)}×`,
          goal: 'constant',
        },
        {
          metric: 'uncached OCSP answer (lookup + signature), µs',
          value: `${fmt(bigCount)} rows: ${fmt(big.ocsp)}`,
          anchor: `${fmt(smallCount)} rows: ${fmt(small.ocsp)}`,
          ratio: `${fmt(big.ocsp / small.ocsp, 2)}×`,
          goal: 'constant',
        },
      ],
      [
        'Issuing includes building the certificate from the profile, one ecdsa-with-SHA512 P-384 signature and the database insert (batches of 500); card key generation is not timed.',
        'The population rows beyond the issued cards are synthetic (random serials, small placeholder DER): a status lookup reads only the primary-key index.',
      ],
      { issueSeconds, rawPerSecond, small, big, smallCount, bigCount },
    );
  } finally {
    dir.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
