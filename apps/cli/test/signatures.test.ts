/**
 * riik sign / verify / container against a real CA (OCSP) and a real TSA on loopback ports, with
 * an eID token issued by that CA; and riik verify on the DigiDoc corpus (exit codes).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContainer, writeContainer } from '@riik/asice';
import { SoftwareKeystore } from '@riik/keys';
import { createLogger } from '@riik/http';
import { buildCsr, Certificate, csrToPem } from '@riik/pki';
import { initCa, startCaServer, type RunningCa } from '@riik/service-ca';
import {
  initTsaKeys,
  installTsaCertificate,
  startTsaServer,
  tsaPaths,
  type RunningTsa,
} from '@riik/service-tsa';
import { tempDir, testDataDir } from '@riik/testing';
import { writeState } from '../src/estate/state.js';
import { riik } from './riik-cli.js';

describe('riik sign and riik verify on a running e-state', () => {
  const dir = tempDir('riik-sign-');
  const data = dir.path;
  const path = (name: string) => join(data, name);
  let ca: RunningCa;
  let tsa: RunningTsa;
  const pins = { pin1: '1234', pin2: '12345', puk: '12345678' };

  async function issueCard(file: string, idcode: string, givenName: string, surname: string): Promise<void> {
    const r = await riik(
      'card', 'issue', '--data', data, '--idcode', idcode, '--given-name', givenName, '--surname', surname,
      '--out', file, '--pin1', pins.pin1, '--pin2', pins.pin2, '--puk', pins.puk,
    ); // prettier-ignore
    expect(r.code, r.stderr).toBe(0);
  }

  beforeAll(async () => {
    await initCa({ dataDir: data });
    ca = await startCaServer({ dataDir: data, port: 0, log: createLogger('ca', 'silent') });
    // the TSA's certificate from this CA, as riik up arranges it
    initTsaKeys(data, { instance: 'EE-TEST' });
    const tsaKey = SoftwareKeystore.open(tsaPaths(data).keys).signer('tsa');
    const { certificate } = await ca.service.issue({
      profile: 'tsa',
      csr: csrToPem(await buildCsr(tsaKey)),
      subject: { commonName: 'riik TSA', organisation: 'riik test' },
    });
    const certs = join(data, 'ca', 'certs');
    const pem = (id: string) => Certificate.fromPem(readFileSync(join(certs, `${id}.pem`), 'utf8'));
    installTsaCertificate(data, certificate, [pem('org')], pem('root'));
    tsa = await startTsaServer({ dataDir: data, port: 0, log: createLogger('tsa', 'silent') });
    writeState(data, {
      supervisorPid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir: data,
      services: [
        { name: 'ca', kind: 'ca', url: ca.url, pid: process.pid, log: '' },
        { name: 'tsa', kind: 'tsa', url: tsa.url, pid: process.pid, log: '' },
      ],
    });
    writeFileSync(path('leping.txt'), 'Müüja ja ostja lepivad kokku.\n');
    writeFileSync(path('tabel.csv'), 'a,b\n1,2\n');
    await issueCard(path('mari.json'), '49005174460', 'Mari', 'Maasikas');
    await issueCard(path('jaan.json'), '38001085718', 'Jaan', 'Tamm');
  }, 120_000);
  afterAll(async () => {
    await tsa?.close();
    await ca?.close();
    dir.remove();
  });

  it('signs two files into an LT container that verifies (exit 0)', async () => {
    const signed = await riik(
      'sign', path('leping.txt'), path('tabel.csv'), '--card', path('mari.json'), '--pin2', pins.pin2,
      '--role', 'juhatuse liige', '--city', 'Tallinn', '--country', 'EE', '--out', path('leping.asice'),
      '--data', data, '--json',
    ); // prettier-ignore
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ verdict: 'VALID', signatures: 1 });
    const verified = await riik('verify', path('leping.asice'), '--data', data, '--json');
    expect(verified.code, verified.stdout).toBe(0);
    const report = JSON.parse(verified.stdout);
    expect(report.verdict).toBe('VALID');
    expect(report.signatures[0]).toMatchObject({ level: 'LT', indication: 'VALID', findings: [] });
    const text = await riik('verify', path('leping.asice'), '--data', data);
    expect(text.stdout).toContain('XAdES-BASELINE-LT');
    expect(text.stdout).toContain('VALID: all signatures are valid');
  });

  it('adds a second signature; data files can no longer change', async () => {
    const added = await riik(
      'sign', '--add', path('leping.asice'), '--card', path('jaan.json'), '--pin2', pins.pin2,
      '--data', data, '--json',
    ); // prettier-ignore
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ verdict: 'VALID', signatures: 2 });
    const more = await riik(
      'sign', path('tabel.csv'), '--add', path('leping.asice'), '--card', path('jaan.json'), '--pin2',
      pins.pin2, '--data', data,
    ); // prettier-ignore
    expect(more.code).toBe(1);
    expect(more.stderr).toContain('CONTAINER_SIGNED');
    const ls = JSON.parse((await riik('container', 'ls', path('leping.asice'), '--json')).stdout);
    expect(ls.dataFiles.map((f: { name: string }) => f.name)).toEqual(['leping.txt', 'tabel.csv']);
    expect(ls.signatures).toHaveLength(2);
    const out = join(data, 'extracted');
    const extracted = await riik('container', 'extract', path('leping.asice'), '--out', out);
    expect(extracted.code, extracted.stderr).toBe(0);
    expect(readFileSync(join(out, 'leping.txt'), 'utf8')).toBe('Müüja ja ostja lepivad kokku.\n');
  });

  it('a wrong PIN2 counts down the tries and signs nothing', async () => {
    const r = await riik(
      'sign', path('leping.txt'), '--card', path('mari.json'), '--pin2', '99999', '--out', path('x.asice'),
      '--data', data,
    ); // prettier-ignore
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PIN_INCORRECT');
    expect(r.stderr).toContain('2 tries left');
    expect(existsSync(path('x.asice'))).toBe(false);
    const info = JSON.parse((await riik('card', 'info', path('mari.json'), '--json')).stdout);
    expect(info.triesLeft.pin2).toBe(2);
  });

  it('a suspended or revoked certificate cannot sign', async () => {
    await issueCard(path('juhan.json'), '37605030299', 'Juhan', 'Juurikas');
    const attempt = () =>
      riik(
        'sign', path('leping.txt'), '--card', path('juhan.json'), '--pin2', pins.pin2, '--out',
        path('juhan.asice'), '--data', data,
      ); // prettier-ignore
    expect((await riik('card', 'suspend', path('juhan.json'), '--data', data)).code).toBe(0);
    const suspended = await attempt();
    expect(suspended.code).toBe(1);
    expect(suspended.stderr).toContain('SIGNING_CERTIFICATE_NOT_GOOD');
    expect(suspended.stderr).toContain('suspended');
    expect((await riik('card', 'revoke', path('juhan.json'), '--data', data)).code).toBe(0);
    const revoked = await attempt();
    expect(revoked.stderr).toContain('SIGNING_CERTIFICATE_NOT_GOOD');
    expect(existsSync(path('juhan.asice'))).toBe(false);
  });

  it('verify exits 1 on a tampered container, 2 without trust', async () => {
    // the same signatures over a changed data file
    const container = await openContainer({ path: path('leping.asice') });
    const signatures = container.signatureFiles.map((f) => f.bytes);
    container.close();
    await writeContainer(path('tampered.asice'), {
      dataFiles: [
        { name: 'leping.txt', mediaType: 'text/plain', content: Buffer.from('Müüja ja ostja ei lepi.\n') },
        { name: 'tabel.csv', mediaType: 'text/csv', content: { path: path('tabel.csv') } },
      ],
      signatures,
      mtime: new Date(),
    });
    const tampered = await riik('verify', path('tampered.asice'), '--data', data);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('REFERENCE_DIGEST_MISMATCH');
    const untrusted = await riik('verify', path('leping.asice'), '--data', join(data, 'nowhere'));
    expect(untrusted.code).toBe(2);
    expect(untrusted.stdout).toContain('TIMESTAMP_UNTRUSTED');
  });
});

describe('riik verify on the DigiDoc corpus', () => {
  const corpus = (name: string) => join(testDataDir('digidoc', 'containers'), name);
  const trust = testDataDir('digidoc', 'trust');
  it.each([
    ['valid-asice.asice', 0],
    ['forged_lt.asice', 1],
    ['esteid2018signerAiaOcspLT.asice', 2],
    ['notABDoc.bdoc', 3],
    ['valid-bdoc-tm.bdoc', 4],
  ] as const)('%s exits %i', async (name, exit) => {
    const r = await riik('verify', corpus(name), '--trust', trust, '--json');
    expect(r.code, r.stdout + r.stderr).toBe(exit);
    expect(JSON.parse(r.stdout).exitCode).toBe(exit);
  });
  it('refuses a trust directory that is not there', async () => {
    const r = await riik('verify', corpus('valid-asice.asice'), '--trust', join(trust, 'nope'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TRUST_CONFIG_INVALID');
  });
});
