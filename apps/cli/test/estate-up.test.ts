/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of several shapes, checked by the assertions */
/**
 * The whole local e-state as a user starts it: `riik up` in one process, then each component's
 * promise checked from outside, through separate processes and real tools — one start for all
 * of them, since starting the e-state is the slow part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, tempDir } from '@riik/testing';
import { Browser, csrfOf } from './auth/estate.js';
import { RIIK_BIN } from './estate-harness.js';
import { riik } from './riik-cli.js';

interface Service {
  name: string;
  kind: string;
  url: string;
  healthy: boolean;
  owner?: string;
  clientUrl?: string;
  cardReaderUrl?: string;
}

/** Start a long-running command and resolve with its first complete JSON document on stdout. */
function startJson(args: string[]): Promise<{ child: ChildProcess; json: any }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RIIK_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RIIK_LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve({ child, json: JSON.parse(out) });
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`riik ${args[0]} exited ${code}: ${err}${out}`)));
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('riik up: the local e-state', () => {
  const dir = tempDir('riik-up-');
  const base = 20_000 + (process.pid % 400) * 100;
  let up: ChildProcess | undefined;
  let reader: ChildProcess | undefined;
  let services: Service[] = [];
  const byKind = (kind: string) => services.find((s) => s.kind === kind)!;

  beforeAll(async () => {
    up = (await startJson(['up', '--data', dir.path, '--port-base', String(base), '--json'])).child;
    const status = await riik('status', '--data', dir.path, '--json');
    expect(status.code, status.stderr).toBe(0);
    services = (JSON.parse(status.stdout) as { services: Service[] }).services;
  }, 120_000);
  afterAll(async () => {
    await stop(reader);
    await stop(up);
    dir.remove();
  });

  it('lists every service healthy in riik status --json', () => {
    expect(services.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['ca', 'tsa', 'auth', 'central-server', 'security-server']),
    );
    expect(services.every((s) => s.healthy)).toBe(true);
    expect(byKind('tsa').url).toBe(`http://127.0.0.1:${base + 2}`);
    expect(byKind('central-server').url).toBe(`http://127.0.0.1:${base + 3}`);
    expect(byKind('auth')).toMatchObject({
      url: `http://127.0.0.1:${base + 4}`,
      cardReaderUrl: `http://127.0.0.1:${base + 9}`,
    });
    expect(services.filter((s) => s.kind === 'security-server').map((s) => s.owner)).toEqual([
      'EE-DEV/GOV/70000562',
      'EE-DEV/GOV/70000349',
      'EE-DEV/GOV/70000310',
    ]);
  });

  it('time-stamps a file with the e-state TSA (riik timestamp, verify)', async () => {
    const doc = join(dir.path, 'doc.txt');
    writeFileSync(doc, 'hello e-state\n');
    const ts = await riik('timestamp', doc, '--data', dir.path);
    expect(ts.code, ts.stderr).toBe(0);
    expect((await riik('timestamp', 'verify', doc, `${doc}.tsr`, '--data', dir.path)).code).toBe(0);
  });

  it('exchanges data through the security servers, from the shell with curl', async () => {
    const clientUrl = (owner: string) =>
      services.find((s) => s.kind === 'security-server' && s.owner === owner)!.clientUrl!;
    const curl = (url: string, client: string) =>
      runTool('curl', [
        '-s',
        '-i',
        '-H',
        `X-Road-Client: ${client}`,
        `${url}/r1/EE-DEV/GOV/70000562/rr/persons/38001085718`,
      ]);
    const ok = await curl(clientUrl('EE-DEV/GOV/70000349'), 'EE-DEV/GOV/70000349/emta');
    expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
    expect(ok.out).toContain('"givenName":"JAAK-KRISTJAN"');
    expect(ok.out).toContain('"surname":"JÕEORG"');
    expect(ok.out).toMatch(/x-road-request-hash: [A-Za-z0-9+/]{86}==/i);
    const denied = await curl(clientUrl('EE-DEV/GOV/70000310'), 'EE-DEV/GOV/70000310/arireg');
    expect(denied.out).toMatch(/^HTTP\/1\.1 500/);
    expect(denied.out).toMatch(/x-road-error: Server\.ServerProxy\.AccessDenied/i);
    expect(denied.out).toContain('"type":"Server.ServerProxy.AccessDenied"');
  });

  it('logs the demo person in to the demo e-service with riik card-reader (PIN1 on its PIN page)', async () => {
    const cardReader = await startJson([
      'card-reader',
      '--token',
      `${dir.path}/people/38001085718.token`,
      '--data',
      dir.path,
      '--no-terminal',
      '--json',
    ]);
    reader = cardReader.child;
    const pinPage = new URL(cardReader.json.pinPage as string);
    const readerOrigin = pinPage.origin;
    const pinKey = pinPage.hash.slice(1);

    const issuer = byKind('auth').url;
    const browser = new Browser(issuer);
    const { response, url } = await browser.follow('/demo?methods=idcard');
    const uid = url.pathname.split('/')[2]!;
    const csrf = csrfOf(await response.text());
    const post = async (path: string, body: unknown): Promise<any> => {
      const r = await browser.fetch(`/login/${uid}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      return r.json();
    };
    const { nonce } = await post('/idcard/challenge', {});
    // The page asks the reader; the person answers on the reader's PIN page.
    const signed = fetch(`${readerOrigin}/v1/authenticate`, {
      method: 'POST',
      headers: { origin: issuer, 'content-type': 'application/json' },
      body: JSON.stringify({ challengeNonce: nonce }),
    }).then((r) => r.json() as Promise<any>);
    const pinApi = (body: object) =>
      fetch(`${readerOrigin}/pin/api`, {
        method: 'POST',
        headers: { origin: readerOrigin, 'content-type': 'application/json' },
        body: JSON.stringify({ key: pinKey, ...body }),
      }).then((r) => r.json() as Promise<any>);
    let pending;
    do pending = (await pinApi({})).request;
    while (!pending);
    expect(pending.origin).toBe(issuer);
    expect(await pinApi({ id: pending.id, pin: '1234' })).toEqual({ ok: true });
    const answer = await signed;
    expect(answer.ok).toBe(true);
    const result = await post('/idcard', { authToken: answer.token });
    const done = await browser.follow(result.redirect as string);
    expect(done.url.pathname).toBe('/demo/callback');
    expect(await done.response.text()).toContain('Jaak-Kristjan Jõeorg</strong> (EE38001085718)');
  });
});
