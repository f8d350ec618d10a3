import { existsSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, repoRoot, tempDir } from '@riik/testing';
import { createLogger } from '@riik/http';
import { caPaths, CertificateStore } from '@riik/service-ca';
import { startTsaServer, type RunningTsa } from '@riik/service-tsa';
import { riik } from './riik-cli.js';

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

describe('riik tsa / timestamp / ksi commands', () => {
  const dir = tempDir('riik-cli-');
  const data = join(dir.path, 'state');
  const file = join(dir.path, 'contract.txt');
  let tsa: RunningTsa;

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'apps/cli/dist/main.js')))
      throw new Error('these tests run the built CLI: run `npx tsc -b` first (scripts/test-all.sh does)');
    expect((await riik('ca', 'init', '--data', data, '--json')).code).toBe(0);
    writeFileSync(file, 'the parties agree\n');
  });
  afterAll(async () => {
    await tsa?.close();
    dir.remove();
  });

  it('tsa init gets a TSA certificate from the CA and records it there', async () => {
    const init = await riik('tsa', 'init', '--data', data, '--json');
    expect(init.code, init.stderr).toBe(0);
    const summary = json(init);
    expect(summary.certificate).toBe('CN=EE-DEV TSA,O=riik EE-DEV,C=EE');
    expect(String(summary.calendarKey)).toMatch(/^riik\/EE-DEV\/calendar\+[0-9a-f]{8}\+/);
    const store = await CertificateStore.open(caPaths(data).database);
    try {
      expect(await store.get(String(summary.serial))).toMatchObject({
        issuer: 'org',
        profile: 'tsa',
        state: 'good',
      });
    } finally {
      await store.close();
    }
    const again = await riik('tsa', 'init', '--data', data);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ALREADY_INITIALISED');
    expect((await riik('tsa', 'init', '--data', join(dir.path, 'empty'))).stderr).toContain('NO_CA');
    tsa = await startTsaServer({ dataDir: data, port: 0, log: createLogger('tsa', 'silent'), roundMs: 50 });
  });

  it('timestamp → a .tsr openssl verifies; timestamp verify says OK or exactly what failed', async () => {
    const got = await riik('timestamp', file, '--tsa', `${tsa.url}/tsa`, '--data', data, '--json');
    expect(got.code, got.stderr).toBe(0);
    const tsr = `${file}.tsr`;
    expect(json(got)).toMatchObject({ out: tsr, policy: '0.4.0.2023.1.1' });
    const ossl = await openssl([
      'ts',
      '-verify',
      '-data',
      file,
      '-in',
      tsr,
      '-CAfile',
      caPaths(data).cert('root'),
    ]);
    expect(ossl.out).toContain('Verification: OK');
    const ok = await riik('timestamp', 'verify', file, tsr, '--data', data);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Verification: OK');
    const other = join(dir.path, 'other.txt');
    writeFileSync(other, 'the parties disagree\n');
    const bad = await riik('timestamp', 'verify', other, tsr, '--data', data, '--json');
    expect(bad.code).toBe(1);
    expect(json(bad)).toMatchObject({ valid: false, code: 'IMPRINT_MISMATCH' });
    const untrusted = await riik('timestamp', 'verify', file, tsr, '--ca-file', caPaths(data).cert('esteid'));
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/UNTRUSTED|CHAIN_INVALID/);
    const sha512 = await riik(
      'timestamp',
      file,
      '--tsa',
      `${tsa.url}/tsa`,
      '--hash',
      'sha512',
      '--out',
      `${file}.512.tsr`,
    );
    expect(sha512.code, sha512.stderr).toBe(0);
    expect((await riik('timestamp', 'verify', file, `${file}.512.tsr`, '--data', data)).code).toBe(0);
    expect((await riik('timestamp', file, '--tsa', `${tsa.url}/tsa`, '--policy', '1.2.3')).stderr).toContain(
      'TSP_REJECTED',
    );
    expect((await riik('timestamp', file, '--hash', 'md5')).code).toBe(2);
  });

  it('ksi sign → verify with the calendar key → publish → extend → verify from the code alone', async () => {
    const url = tsa.url;
    const signed = await riik('ksi', 'sign', file, '--url', url, '--data', data, '--json');
    expect(signed.code, signed.stderr).toBe(0);
    const rsig = `${file}.rsig`;
    expect(json(signed)).toMatchObject({ out: rsig, publication: null });
    const ok = await riik('ksi', 'verify', file, rsig, '--data', data, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toMatchObject({ valid: true, code: 'OK', anchor: 'checkpoint' });
    const wrongKey = await riik(
      'ksi',
      'verify',
      file,
      rsig,
      '--checkpoint-key',
      'riik/EE-DEV/calendar+00000000+AQ' + 'A'.repeat(42) + '=',
    );
    expect(wrongKey.code).toBe(1);
    const tampered = join(dir.path, 'tampered.txt');
    writeFileSync(tampered, 'the parties agree\n');
    appendFileSync(tampered, 'and one more clause\n');
    const bad = await riik('ksi', 'verify', tampered, rsig, '--data', data);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('DOCUMENT_HASH_MISMATCH');

    const early = await riik('ksi', 'extend', rsig, '--url', url);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('NO_PUBLICATION');
    const published = await riik('ksi', 'publish', '--url', url, '--data', data, '--json');
    expect(published.code, published.stderr).toBe(0);
    const code = String(json(published).code);
    const extended = await riik('ksi', 'extend', rsig, '--url', url, '--json');
    expect(extended.code, extended.stderr).toBe(0);
    expect(json(extended)).toMatchObject({ publication: code });
    // From the code alone, with a data directory that holds no key at all.
    const fromCode = await riik(
      'ksi',
      'verify',
      file,
      rsig,
      '--publication',
      code,
      '--data',
      join(dir.path, 'nothing'),
    );
    expect(fromCode.code, fromCode.stderr).toBe(0);
    expect(fromCode.stdout).toContain('published at');
    const otherCode = await riik('ksi', 'verify', file, rsig, '--publication', code.replace(/^./, 'B'));
    expect(otherCode.code).toBe(1);
    expect(otherCode.stderr).toMatch(/BAD_PUBLICATION_CODE|PUBLICATION_MISMATCH/);
    expect((await riik('ksi', 'verify', file)).code).toBe(2);
    expect((await riik('ksi', 'verify', file, rsig, '--data', join(dir.path, 'nothing'))).code).toBe(2);
  });
});
