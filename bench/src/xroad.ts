import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { COMPONENTS, type EstateContext } from '@riik/cli/estate/registry';
import { securityServerPaths } from '@riik/service-security-server';
import { repoRoot, runTool, tempDir } from '@riik/testing';
import { fmt, report } from './report.js';

const RIIK = join(repoRoot, 'apps/cli/bin/riik.js');
const PROVIDER = fileURLToPath(new URL('./xroad-provider.js', import.meta.url));
const PLAIN_PROXY = fileURLToPath(new URL('./xroad-plain-proxy.js', import.meta.url));
const CLIENT = 'EE-DEV/GOV/70000349/emta';
const PROVIDER_ID = 'EE-DEV/GOV/70000562/rr';

function patch(file: string, fn: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  fn(v);
  writeFileSync(file, JSON.stringify(v, null, 2));
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

interface Proc {
  child: ChildProcess;
  stop(): Promise<void>;
}

function spawnProc(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RIIK_LOG_LEVEL: 'warn', ...env },
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serve(dataDir: string, service: string, port: number, args: string[] = []): Promise<Proc> {
  const p = spawnProc([RIIK, 'serve', service, '--data', dataDir, '--port', String(port), ...args]);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await healthy(url)); i++) {
    if (p.child.exitCode !== null || i > 300) throw new Error(`${service} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return p;
}

/** Peak resident set size of a process (Linux VmHWM), in MiB. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** POST `size` bytes, generated as they are sent, and count the bytes that come back. */
function streamThrough(url: string, size: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= size) {
          this.push(null);
          return;
        }
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      },
    });
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' } },
      (res) => {
        let got = 0;
        res.on('data', (c: Buffer) => (got += c.length));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(got) : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

const BODY = Buffer.from(
  JSON.stringify({ query: 'persons', idCode: '38001085718', padding: 'y'.repeat(960) }),
);

async function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  rate?: number,
) {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: BODY,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}

/**
 * X-Road end to end against calling the provider directly, one run, same machine, same load
 * generator: exchanges per second for a 1 KB JSON request and response through the consumer's
 * security server → the provider's security server → the provider, with signing, message log and
 * batch time-stamping on; added latency at half of the peak; peak RSS of each security server with a
 * 100 MB body streamed through.
 */
export async function benchXroad(): Promise<void> {
  const dir = tempDir('riik-bench-xroad-');
  const portBase = 26_000 + (process.pid % 100) * 50;
  const ctx: EstateContext = { dataDir: dir.path, portBase, host: '127.0.0.1' };
  const procs: Proc[] = [];
  try {
    for (const c of COMPONENTS) await c.prepare?.(ctx);
    for (const name of ['ss-rr', 'ss-emta'])
      patch(securityServerPaths(dir.path, name).config, (c) => {
        c.timestamping = { ...(c.timestamping as object), intervalSeconds: 1 };
      });
    procs.push(await serve(dir.path, 'ca', portBase + 1));
    procs.push(await serve(dir.path, 'tsa', portBase + 2));
    procs.push(await serve(dir.path, 'central-server', portBase + 3));
    const ssArgs = (name: string) => ['--config', securityServerPaths(dir.path, name).config];
    let ssRr = await serve(dir.path, 'security-server', portBase + 10, [
      '--config',
      securityServerPaths(dir.path, 'ss-rr').config,
    ]);
    let ssEmta = await serve(dir.path, 'security-server', portBase + 12, [
      '--config',
      securityServerPaths(dir.path, 'ss-emta').config,
    ]);
    const providerPort = portBase + 31;
    const provider = spawnProc([PROVIDER, String(providerPort)]);
    procs.push(provider);
    await new Promise((r) => setTimeout(r, 300));
    const xh = { 'X-Road-Client': CLIENT };
    const token = readFileSync(securityServerPaths(dir.path, 'ss-rr').adminToken, 'utf8').trim();
    const admin = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${portBase + 10}/admin/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => {
        if (!r.ok) throw new Error(`admin ${path}: HTTP ${r.status}`);
      });
    await admin('/services', {
      provider: PROVIDER_ID,
      serviceCode: 'bench',
      url: `http://127.0.0.1:${providerPort}`,
      endpoints: [{ method: 'POST', path: '/**' }],
    });
    await admin('/access-rights', { provider: PROVIDER_ID, serviceCode: 'bench', subject: CLIENT });

    // 100 MB streamed through both security servers and back, on fresh processes.
    const before = { consumer: peakRss(ssEmta.child.pid!), provider: peakRss(ssRr.child.pid!) };
    const size = 100 * 1024 * 1024;
    const t0 = performance.now();
    const back = await streamThrough(
      `http://127.0.0.1:${portBase + 12}/r1/${PROVIDER_ID}/bench/echo`,
      size,
      xh,
    );
    const streamSeconds = (performance.now() - t0) / 1000;
    if (back !== size) throw new Error(`streamed ${back} of ${size} bytes`);
    const rss = { consumer: peakRss(ssEmta.child.pid!), provider: peakRss(ssRr.child.pid!) };

    // The same topology without X-Road: two plain reverse proxies with mutual TLS between them.
    const keyFile = join(dir.path, 'plain-key.pem');
    const certFile = join(dir.path, 'plain-cert.pem');
    const made = await runTool('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    if (made.status !== 0) throw new Error(`openssl: ${made.out}`);
    const plainServerPort = portBase + 40;
    const plainClientPort = portBase + 41;
    procs.push(
      spawnProc([PLAIN_PROXY, 'server', String(plainServerPort), String(providerPort), keyFile, certFile]),
    );
    procs.push(
      spawnProc([PLAIN_PROXY, 'client', String(plainClientPort), String(plainServerPort), keyFile, certFile]),
    );
    await new Promise((r) => setTimeout(r, 500));

    const direct = `http://127.0.0.1:${providerPort}/json`;
    const through = `http://127.0.0.1:${portBase + 12}/r1/${PROVIDER_ID}/bench/json`;
    const plain = `http://127.0.0.1:${plainClientPort}/json`;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    /**
     * Peak (alternating windows of each path), CPU per exchange of each security server, and
     * latency at half the X-Road peak.
     */
    const measure = async () => {
      await load(direct, {}, 8, 2);
      await load(through, xh, 16, 5);
      await load(plain, {}, 8, 2);
      const peak = { direct: [] as number[], through: [] as number[], plain: [] as number[] };
      const cpu = { consumer: 0, provider: 0, exchanges: 0 };
      for (let i = 0; i < 3; i++) {
        peak.direct.push((await load(direct, {}, 16, 5)).requests.average);
        const c0 = { consumer: cpuMs(ssEmta.child.pid!), provider: cpuMs(ssRr.child.pid!) };
        const r = await load(through, xh, 16, 5);
        cpu.consumer += cpuMs(ssEmta.child.pid!) - c0.consumer;
        cpu.provider += cpuMs(ssRr.child.pid!) - c0.provider;
        cpu.exchanges += r.requests.total;
        peak.through.push(r.requests.average);
        peak.plain.push((await load(plain, {}, 16, 5)).requests.average);
      }
      const directRate = avg(peak.direct);
      const throughRate = avg(peak.through);
      const plainRate = avg(peak.plain);
      const rate = Math.max(10, Math.floor(throughRate / 2));
      const latDirect = await load(direct, {}, 16, 10, rate);
      const latThrough = await load(through, xh, 16, 10, rate);
      return {
        peak,
        directRate,
        throughRate,
        plainRate,
        cpuPerExchange: {
          consumer: cpu.consumer / cpu.exchanges,
          provider: cpu.provider / cpu.exchanges,
        },
        rate,
        latDirect: latDirect.latency,
        latThrough: latThrough.latency,
      };
    };
    const full = await measure();

    // The same with the message log committing without a disk sync per commit.
    await ssEmta.stop();
    await ssRr.stop();
    for (const name of ['ss-rr', 'ss-emta'])
      patch(securityServerPaths(dir.path, name).config, (c) => {
        c.messageLog = { sync: 'normal' };
      });
    ssRr = await serve(dir.path, 'security-server', portBase + 10, ssArgs('ss-rr'));
    ssEmta = await serve(dir.path, 'security-server', portBase + 12, ssArgs('ss-emta'));
    const normal = await measure();
    await ssEmta.stop();
    await ssRr.stop();
    const { directRate, throughRate, plainRate, rate, cpuPerExchange } = full;
    const latDirect = { latency: full.latDirect };
    const latThrough = { latency: full.latThrough };

    const ratio = throughRate / directRate;
    await report(
      'xroad',
      'X-Road exchange through two security servers',
      'npm run bench (bench/src/xroad.ts)',
      [
        {
          metric: 'provider called directly, requests/s (autocannon, 16 connections, 1 KB JSON both ways)',
          value: fmt(directRate),
          goal: 'anchor',
        },
        {
          metric:
            'through consumer SS → provider SS → provider, exchanges/s (signing, message log, batch time-stamping on)',
          value: fmt(throughRate),
          anchor: fmt(directRate),
          ratio: ratio.toFixed(2),
          goal: "≥ 0.5 (real X-Road, one user's load test: 0.11)",
        },
        {
          metric:
            'the same two hops without X-Road (two plain Node.js reverse proxies, mutual TLS kept alive): requests/s',
          value: fmt(plainRate),
          anchor: fmt(directRate),
          ratio: (plainRate / directRate).toFixed(2),
          goal: 'physical limit of two hops here',
        },
        {
          metric: 'X-Road against the plain proxies (what signing, verifying and logging cost)',
          value: fmt(throughRate),
          anchor: fmt(plainRate),
          ratio: (throughRate / plainRate).toFixed(2),
        },
        {
          metric: 'CPU per exchange at peak: consumer SS / provider SS',
          value: `${cpuPerExchange.consumer.toFixed(2)} / ${cpuPerExchange.provider.toFixed(2)} ms`,
        },
        {
          metric: `latency at ${fmt(rate)}/s (half the X-Road peak): p50 / p99`,
          value: `${latThrough.latency.p50} / ${latThrough.latency.p99} ms`,
          anchor: `${latDirect.latency.p50} / ${latDirect.latency.p99} ms direct`,
        },
        {
          metric: 'added latency p50 / p99',
          value: `${latThrough.latency.p50 - latDirect.latency.p50} / ${latThrough.latency.p99 - latDirect.latency.p99} ms`,
          goal: 'p99 < 10 ms',
        },
        {
          metric: 'same, message log without a disk sync per commit (messageLog.sync = normal): exchanges/s',
          value: fmt(normal.throughRate),
          anchor: fmt(normal.directRate),
          ratio: (normal.throughRate / normal.directRate).toFixed(2),
        },
        {
          metric: `same, sync = normal: latency at ${fmt(normal.rate)}/s p50 / p99; added p50 / p99`,
          value: `${normal.latThrough.p50} / ${normal.latThrough.p99} ms; ${normal.latThrough.p50 - normal.latDirect.p50} / ${normal.latThrough.p99 - normal.latDirect.p99} ms`,
          anchor: `${normal.latDirect.p50} / ${normal.latDirect.p99} ms direct`,
        },
        {
          metric: 'peak RSS with a 100 MB body streamed through and back: consumer SS / provider SS',
          value: `${fmt(rss.consumer)} / ${fmt(rss.provider)} MiB`,
          anchor: `${fmt(before.consumer)} / ${fmt(before.provider)} MiB before`,
          goal: '< 200 MiB each',
        },
        {
          metric: '100 MB through and back (200 MB moved, each way logged)',
          value: `${streamSeconds.toFixed(1)} s`,
        },
      ],
      [
        'Same machine, same load generator (autocannon in the bench process), same provider process, one run; direct, X-Road and plain-proxy windows alternate (3 × 5 s each).',
        'The plain proxies are the X-Road path with nothing of X-Road in it (bench/src/xroad-plain-proxy.ts): HTTP in, mutual TLS with kept-alive connections between two Node.js processes, HTTP to the provider, bodies streamed. They bound what any pair of proxies in Node.js reaches on this machine.',
        'CPU per exchange is the user + system time of each security server process (/proc) over the X-Road windows, divided by the exchanges made.',
        "Every exchange: two ECDSA P-256 signatures (batched when concurrent) and two verifications, mutual TLS between the security servers (kept-alive connections), four message log records (request and response on each side) with group commit, batch RFC 3161 time-stamps from riik's TSA every second.",
        'The 2-core machine runs the load generator, both security servers, the provider and the CA/TSA/central server at once; the direct path runs only the provider.',
        "Peak RSS is the kernel's VmHWM of each security server process, read before and after streaming 100 MB up and 100 MB down through fresh processes (the message log stores both bodies in 1 MiB rows as they pass).",
        "The first rows use the default message log durability (every group commit's write-ahead log synced to disk before the messages in it go on, the sync made off the event loop; four group commits in each exchange's path); the sync = normal rows restart both security servers with the write-ahead log not synced per commit.",
      ],
      { full, normal, rss, rssBefore: before, streamSeconds },
    );
  } finally {
    for (const p of procs.reverse()) await p.stop();
    dir.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchXroad();
