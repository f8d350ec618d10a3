import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { COMPONENTS, type EstateContext } from '@riik/cli/estate/registry';
import { securityServerPaths } from '@riik/service-security-server';
import { repoRoot, runTool, tempDir } from '@riik/testing';
import { pacedLatency } from './lib/load.js';
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

const CORES = cpus().length;

/** CPU time of each process of the benchmark's topology, in ms. */
interface Cpu {
  generator: number;
  consumerSs: number;
  providerSs: number;
  plainClient: number;
  plainServer: number;
  provider: number;
  background: number;
}
type CpuPerExchange = Cpu & { total: number };
const emptyCpu = () => ({
  ms: {
    generator: 0,
    consumerSs: 0,
    providerSs: 0,
    plainClient: 0,
    plainServer: 0,
    provider: 0,
    background: 0,
  },
  exchanges: 0,
});
function addCpu(into: ReturnType<typeof emptyCpu>, before: Cpu, after: Cpu, exchanges: number): void {
  for (const k of Object.keys(into.ms) as Array<keyof Cpu>) into.ms[k] += after[k] - before[k];
  into.exchanges += exchanges;
}
/** µs per exchange of each process, and their sum. */
function perExchange(c: ReturnType<typeof emptyCpu>): CpuPerExchange {
  const out = { total: 0 } as CpuPerExchange;
  for (const k of Object.keys(c.ms) as Array<keyof Cpu>) {
    out[k] = (c.ms[k] * 1000) / c.exchanges;
    out.total += out[k];
  }
  return out;
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
    const plainProcs = procs.slice(-2) as [Proc, Proc];
    const background = procs.slice(0, 3);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    /** CPU time (ms) of each process of the topology so far; `generator` is this process (autocannon). */
    const cpuNow = (): Cpu => {
      const own = process.cpuUsage();
      return {
        generator: (own.user + own.system) / 1000,
        consumerSs: cpuMs(ssEmta.child.pid!),
        providerSs: cpuMs(ssRr.child.pid!),
        plainClient: cpuMs(plainProcs[1].child.pid!),
        plainServer: cpuMs(plainProcs[0].child.pid!),
        provider: cpuMs(provider.child.pid!),
        background: background.reduce((n, p) => n + cpuMs(p.child.pid!), 0),
      };
    };
    /**
     * Peak (alternating windows of each path) with the CPU each process spent per exchange, and
     * open-loop latency at half the X-Road peak.
     */
    const measure = async () => {
      // Long enough for V8 to have optimised the security servers' hot code (a server runs for days).
      await load(through, xh, 16, 20);
      await load(direct, {}, 16, 3);
      await load(plain, {}, 16, 3);
      const peak = { direct: [] as number[], through: [] as number[], plain: [] as number[] };
      const cpu = { direct: emptyCpu(), through: emptyCpu(), plain: emptyCpu() };
      const windowOf = async (
        path: 'direct' | 'through' | 'plain',
        url: string,
        headers: Record<string, string>,
      ) => {
        const c0 = cpuNow();
        const r = await load(url, headers, 16, 5);
        addCpu(cpu[path], c0, cpuNow(), r.requests.total);
        peak[path].push(r.requests.average);
      };
      for (let i = 0; i < 3; i++) {
        await windowOf('direct', direct, {});
        await windowOf('through', through, xh);
        await windowOf('plain', plain, {});
      }
      const directRate = avg(peak.direct);
      const throughRate = avg(peak.through);
      const plainRate = avg(peak.plain);
      const rate = Math.max(10, Math.floor(throughRate / 2));
      const paced = { body: BODY, rate, seconds: 10 };
      const latDirect = await pacedLatency(direct, {
        ...paced,
        headers: { 'content-type': 'application/json' },
      });
      const latThrough = await pacedLatency(through, {
        ...paced,
        headers: { ...xh, 'content-type': 'application/json' },
      });
      if (latDirect.errors || latThrough.errors)
        throw new Error(`paced latency: ${latDirect.errors} / ${latThrough.errors} errors`);
      return {
        peak,
        directRate,
        throughRate,
        plainRate,
        cpu: {
          direct: perExchange(cpu.direct),
          through: perExchange(cpu.through),
          plain: perExchange(cpu.plain),
        },
        rate,
        latDirect,
        latThrough,
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
    const { directRate, throughRate, plainRate, rate, cpu } = full;
    const latDirect = full.latDirect;
    const latThrough = full.latThrough;
    const ms = (v: number) => v.toFixed(1);
    const us = (v: number | undefined) => fmt(Math.round(v ?? 0));
    const ceiling = (c: CpuPerExchange) => (CORES * 1e6) / c.total;

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
          metric:
            'CPU µs per exchange at peak, X-Road: load generator / consumer SS / provider SS / provider / CA+TSA+central = total',
          value: `${us(cpu.through.generator)} / ${us(cpu.through.consumerSs)} / ${us(cpu.through.providerSs)} / ${us(cpu.through.provider)} / ${us(cpu.through.background)} = ${us(cpu.through.total)}`,
        },
        {
          metric:
            'CPU µs per request at peak, plain proxies: load generator / client proxy / server proxy / provider = total',
          value: `${us(cpu.plain.generator)} / ${us(cpu.plain.plainClient)} / ${us(cpu.plain.plainServer)} / ${us(cpu.plain.provider)} = ${us(cpu.plain.total)}`,
        },
        {
          metric: 'CPU µs per request at peak, direct: load generator / provider = total',
          value: `${us(cpu.direct.generator)} / ${us(cpu.direct.provider)} = ${us(cpu.direct.total)}`,
        },
        {
          metric: `CPU-bound ceiling on ${CORES} cores (${CORES} s of CPU per second ÷ total CPU per exchange): X-Road / plain proxies / direct, per second`,
          value: `${fmt(ceiling(cpu.through))} / ${fmt(ceiling(cpu.plain))} / ${fmt(ceiling(cpu.direct))}`,
          ratio: `${(ceiling(cpu.through) / ceiling(cpu.direct)).toFixed(3)} / ${(ceiling(cpu.plain) / ceiling(cpu.direct)).toFixed(3)} / 1`,
          goal: 'X-Road / direct ≥ 0.5 needs ≤ 2× the direct CPU',
        },
        {
          metric: `latency at ${fmt(rate)}/s (half the X-Road peak; open loop, evenly spaced): p50 / p99`,
          value: `${ms(latThrough.p50)} / ${ms(latThrough.p99)} ms`,
          anchor: `${ms(latDirect.p50)} / ${ms(latDirect.p99)} ms direct`,
        },
        {
          metric: 'added latency p50 / p99',
          value: `${ms(latThrough.p50 - latDirect.p50)} / ${ms(latThrough.p99 - latDirect.p99)} ms`,
          goal: 'p99 < 10 ms',
        },
        {
          metric: 'same, message log without a disk sync per commit (messageLog.sync = normal): exchanges/s',
          value: fmt(normal.throughRate),
          anchor: fmt(normal.directRate),
          ratio: (normal.throughRate / normal.directRate).toFixed(2),
        },
        {
          metric: 'same, sync = normal: CPU µs per exchange, consumer SS / provider SS',
          value: `${us(normal.cpu.through.consumerSs)} / ${us(normal.cpu.through.providerSs)}`,
        },
        {
          metric: `same, sync = normal: latency at ${fmt(normal.rate)}/s p50 / p99; added p50 / p99`,
          value: `${ms(normal.latThrough.p50)} / ${ms(normal.latThrough.p99)} ms; ${ms(normal.latThrough.p50 - normal.latDirect.p50)} / ${ms(normal.latThrough.p99 - normal.latDirect.p99)} ms`,
          anchor: `${ms(normal.latDirect.p50)} / ${ms(normal.latDirect.p99)} ms direct`,
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
        'Same machine, same load generator (autocannon in the bench process, 16 connections), same provider process, one run; direct, X-Road and plain-proxy windows alternate (3 × 5 s each). Other work on the shared machine takes CPU from all three alike; CPU per exchange is the steadier figure.',
        'The plain proxies are the X-Road path with nothing of X-Road in it (bench/src/xroad-plain-proxy.ts): HTTP in, mutual TLS with kept-alive connections between two Node.js processes, HTTP to the provider, bodies streamed. They bound what any pair of proxies in Node.js reaches on this machine.',
        'CPU per exchange is the user + system time of each process (/proc; the load generator is this process, autocannon running in it) over the windows of that path, divided by the exchanges made. The CPU-bound ceiling is what the path would reach if the machine did nothing else and every process could use any core: it is the physical limit of each path here, and the ratio of the ceilings is the best ratio any implementation with these processes can show.',
        'The security servers are warmed up for 20 s before the windows (V8 optimises their code meanwhile; measured from a cold start the first seconds cost about 50 % more CPU per exchange).',
        'Latency is measured open loop: requests evenly spaced at the given rate on kept-alive connections, each counted from the moment it was due (bench/src/lib/load.ts pacedLatency), for the direct path and the X-Road path in turn.',
        "Every exchange: two ECDSA P-256 signatures (batched when concurrent) and two verifications, mutual TLS between the security servers (kept-alive connections), four message log records (request and response on each side) with group commit, batch RFC 3161 time-stamps from riik's TSA every second.",
        'The 2-core machine runs the load generator, both security servers, the provider and the CA/TSA/central server at once; the direct path runs only the provider.',
        "Peak RSS is the kernel's VmHWM of each security server process, read before and after streaming 100 MB up and 100 MB down through fresh processes (the message log stores both bodies in 1 MiB rows as they pass).",
        "The first rows use the default message log durability (every group commit's write-ahead log synced to disk before the messages in it go on, the sync made off the event loop; four group commits in each exchange's path); the sync = normal rows restart both security servers with the write-ahead log not synced per commit.",
      ],
      { full, normal, rss, rssBefore: before, streamSeconds, cores: CORES },
    );
  } finally {
    for (const p of procs.reverse()) await p.stop();
    dir.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchXroad();
