import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { centralPaths } from '@riik/service-central-server';
import { securityServerPaths } from '@riik/service-security-server';
import { COMPONENTS, type EstateContext } from '../src/estate/registry.js';

export const RIIK_BIN = fileURLToPath(new URL('../bin/riik.js', import.meta.url));

/** Run `riik up`'s preparation (keys, certificates, registrations, configs) into a data directory. */
export async function prepareEstate(ctx: EstateContext): Promise<void> {
  for (const c of COMPONENTS) await c.prepare?.(ctx);
}

export function patchJson(file: string, patch: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  patch(v);
  writeFileSync(file, JSON.stringify(v, null, 2));
}

/** Shorten the e-state's timers so expiry, revocation and time-stamping can be seen within seconds. */
export function fastTimers(
  ctx: EstateContext,
  names: string[],
  overrides: Record<string, unknown> = {},
): void {
  patchJson(centralPaths(ctx.dataDir).config, (c) => {
    c.gconf = { ...(c.gconf as object), intervalSeconds: 1, expireSeconds: 4, ocspFreshnessSeconds: 600 };
  });
  for (const name of names)
    patchJson(securityServerPaths(ctx.dataDir, name).config, (c) => {
      c.globalConf = { refreshSeconds: 0.5 };
      c.ocsp = { refreshSeconds: 0.5, peerCacheSeconds: 0 };
      c.timestamping = { ...(c.timestamping as object), intervalSeconds: 0.5, gracePeriodSeconds: 3 };
      c.archive = { intervalSeconds: 0, maxRecords: 10_000 };
      Object.assign(c, overrides);
    });
}

async function healthy(url: string): Promise<boolean> {
  if (url.startsWith('https:'))
    // A TLS client proxy with a test certificate: only whether it answers 200 matters here.
    return new Promise((resolve) => {
      const req = httpsGet(`${url}/healthz`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/** A `riik serve` child process. */
export class Service {
  private child: ChildProcess | undefined;
  readonly url: string;

  constructor(
    private readonly dataDir: string,
    readonly name: string,
    private readonly service: string,
    readonly port: number,
    private readonly args: string[] = [],
    scheme: 'http' | 'https' = 'http',
  ) {
    this.url = `${scheme}://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dataDir, 'logs'), { recursive: true });
    const log = openSync(join(this.dataDir, 'logs', `${this.name}.log`), 'a');
    this.child = spawn(
      process.execPath,
      [RIIK_BIN, 'serve', this.service, '--data', this.dataDir, '--port', String(this.port), ...this.args],
      { stdio: ['ignore', log, log], env: { ...process.env, RIIK_LOG_LEVEL: 'info' } },
    );
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited: ${this.logTail()}`);
      if (await healthy(this.url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} did not become healthy: ${this.logTail()}`);
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dataDir, 'logs', `${this.name}.log`), 'utf8')
        .split('\n')
        .slice(-8)
        .join('\n');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Poll `probe` until it returns a value, or fail after `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 15_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
