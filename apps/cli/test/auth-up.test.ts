/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of several shapes, checked by the assertions */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import { Browser, csrfOf } from './auth/estate.js';

const BIN = fileURLToPath(new URL('../bin/riik.js', import.meta.url));

function riik(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

/** Start a long-running command and resolve with its first complete JSON document on stdout. */
function startJson(args: string[]): Promise<{ child: ChildProcess; json: any }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('login commands', () => {
  it('have --help', async () => {
    for (const args of [['card-reader'], ['smart-id', 'app'], ['mobile-id', 'app']]) {
      const r = await riik(...args, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: riik ${args.join(' ')}`);
    }
    expect((await riik('serve', '--help')).stdout).toMatch(/auth\s+login service/);
  });
});

/**
 * The "done when": after `riik up`, a person logs in to the demo e-service with the demo
 * ID-card in `riik card-reader` (PIN1 on its PIN page), all as separate processes.
 */
describe('riik up → riik card-reader → log in', () => {
  const dir = tempDir('riik-up-');
  const base = 20_000 + Math.floor(Math.random() * 2000) * 10;
  let up: ChildProcess | undefined;
  let reader: ChildProcess | undefined;
  afterAll(async () => {
    await stop(reader);
    await stop(up);
    dir.remove();
  });

  it('lists the login service as kind auth and logs the demo person in with the card reader', async () => {
    const started = await startJson(['up', '--data', dir.path, '--port-base', String(base), '--json']);
    up = started.child;
    const status = JSON.parse((await riik('status', '--json', '--data', dir.path)).stdout);
    const auth = status.services.find((s: { kind: string }) => s.kind === 'auth');
    expect(auth).toMatchObject({
      name: 'auth',
      url: `http://127.0.0.1:${base + 4}`,
      healthy: true,
      cardReaderUrl: `http://127.0.0.1:${base + 9}`,
    });

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

    const issuer = auth.url as string;
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

    // the page asks the reader; the person answers on the reader's PIN page
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
    const html = await done.response.text();
    expect(html).toContain('Jaak-Kristjan Jõeorg</strong> (EE38001085718)');
  });
});
