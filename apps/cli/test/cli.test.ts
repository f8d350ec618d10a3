import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import { createLogger } from '@riik/http';
import { initCa, startCaServer, type RunningCa } from '@riik/service-ca';
import { riik } from './riik-cli.js';

describe('riik idcode', () => {
  it('validates with exit codes and reasons', async () => {
    expect((await riik('idcode', 'validate', '38001085718')).code).toBe(0);
    const bad = await riik('idcode', 'validate', '38001085719', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, fault: 'BAD_CHECKSUM' });
  });
  it('generates codes', async () => {
    const r = await riik(
      'idcode',
      'generate',
      '--born',
      '2000-02-29',
      '--sex',
      'female',
      '--count',
      '5',
      '--json',
    );
    expect(r.code).toBe(0);
    const codes = JSON.parse(r.stdout) as string[];
    expect(codes).toHaveLength(5);
    for (const c of codes) expect(c).toMatch(/^6000229\d{4}$/);
    expect((await riik('idcode', 'generate', '--born', '2001-02-29', '--sex', 'male')).code).toBe(2);
  });
  it('has --help on every command', async () => {
    for (const args of [
      [],
      ['idcode'],
      ['idcode', 'validate'],
      ['ca', 'init'],
      ['card', 'issue'],
      ['serve'],
      ['up'],
      ['status'],
    ]) {
      const r = await riik(...args, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: riik');
    }
  });
});

describe('riik card against a running CA', () => {
  const dir = tempDir();
  let ca: RunningCa;
  beforeAll(async () => {
    await initCa({ dataDir: dir.path });
    ca = await startCaServer({ dataDir: dir.path, port: 0, log: createLogger('ca', 'silent') });
  });
  afterAll(async () => {
    await ca.close();
    dir.remove();
  });

  it('issues a token with both certificates, then suspends, resumes and revokes them', async () => {
    const token = `${dir.path}/card.json`;
    const common = ['--data', dir.path, '--ca', ca.url];
    const issued = await riik(
      'card',
      'issue',
      ...common,
      '--idcode',
      '49005174460',
      '--given-name',
      'Mari',
      '--surname',
      'Maasikas',
      '--type',
      'digi-id',
      '--out',
      token,
      '--json',
    );
    expect(issued.stderr).toBe('');
    const out = JSON.parse(issued.stdout);
    expect(out.pins.pin1).toMatch(/^\d{4}$/);
    expect(out.certificates.auth.subject).toContain('CN=MAASIKAS\\,MARI\\,49005174460');
    const info = JSON.parse((await riik('card', 'info', token, '--json')).stdout);
    expect(info.triesLeft).toEqual({ pin1: 3, pin2: 3, puk: 3 });
    const status = async () => (await ca.service.store.get(out.certificates.auth.serial))?.state;
    expect(JSON.parse((await riik('card', 'suspend', token, ...common, '--json')).stdout)).toEqual({
      auth: 'suspended',
      sign: 'suspended',
    });
    expect(await status()).toBe('hold');
    await riik('card', 'resume', token, ...common);
    expect(await status()).toBe('good');
    await riik('card', 'revoke', token, ...common, '--reason', 'keyCompromise');
    expect(await status()).toBe('revoked');
    const again = await riik('card', 'resume', token, ...common);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ALREADY_REVOKED');
  });

  it('explains refusals: bad code, existing token, unreachable CA', async () => {
    const r1 = await riik(
      'card',
      'issue',
      '--data',
      dir.path,
      '--idcode',
      '123',
      '--given-name',
      'A',
      '--surname',
      'B',
      '--out',
      `${dir.path}/x.json`,
    );
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('WRONG_LENGTH');
    const r2 = await riik(
      'card',
      'issue',
      '--data',
      dir.path,
      '--ca',
      'http://127.0.0.1:1',
      '--idcode',
      '38001085718',
      '--given-name',
      'A',
      '--surname',
      'B',
      '--out',
      `${dir.path}/y.json`,
    );
    expect(r2.stderr).toContain('CA_UNREACHABLE');
  });
});
