import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';

export interface Throughput {
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
}

/**
 * Peak throughput with wrk (C, light: it leaves the CPU to the server under test), POSTing the
 * given bodies in rotation. Same generator, same settings for riik and its peer.
 */
export async function wrkPost(
  url: string,
  bodies: Uint8Array[],
  contentType: string,
  dir: string,
  seconds = 10,
  connections = 32,
): Promise<Throughput> {
  const script = `${dir}/post.lua`;
  const list = bodies.map((b) => `"${[...b].map((x) => `\\${x}`).join('')}"`).join(',\n');
  writeFileSync(
    script,
    `local bodies = {${list}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "${contentType}"}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end`,
  );
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', [
      '-t',
      '1',
      '-c',
      String(connections),
      '-d',
      `${seconds}s`,
      '-s',
      script,
      url,
    ]);
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const m = /RESULT (\d+) (\d+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk failed: ${out}`);
  const [requests, durationUs, non2xx, errors] = m.slice(1).map(Number) as [number, number, number, number];
  return { requestsPerSecond: requests / (durationUs / 1e6), errors, non2xx };
}

export interface Latency {
  /** Milliseconds. */
  p50: number;
  p99: number;
  requestsPerSecond: number;
  errors: number;
}

/**
 * Latency at a fixed offered rate with hey (Go): each of `workers` paces its requests with a
 * ticker, so the load is spread evenly over each second rather than sent in bursts.
 */
export async function heyPaced(
  url: string,
  body: Uint8Array,
  contentType: string,
  dir: string,
  rate: number,
  seconds = 10,
  workers = 10,
): Promise<Latency> {
  const file = `${dir}/hey-body.bin`;
  writeFileSync(file, body);
  const out = await run('hey', [
    '-z',
    `${seconds}s`,
    '-c',
    String(workers),
    '-q',
    String(rate / workers),
    '-m',
    'POST',
    '-T',
    contentType,
    '-D',
    file,
    url,
  ]);
  const pick = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const ok = pick(/\[200\]\s+(\d+) responses/);
  const total = [...out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)].reduce((n, m) => n + Number(m[2]), 0);
  return {
    p50: pick(/50% in ([\d.]+) secs/) * 1000,
    p99: pick(/99% in ([\d.]+) secs/) * 1000,
    requestsPerSecond: pick(/Requests\/sec:\s+([\d.]+)/),
    errors: total - ok + (out.match(/Error distribution:/) ? 1 : 0),
  };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
}

/**
 * Throughput with ApacheBench. With `keepAlive`, ab asks for HTTP keep-alive and each server
 * decides (riik keeps the connection; `openssl ocsp -port` answers HTTP/1.0 and closes); without,
 * every request opens a new connection. ab counts responses whose length differs from the first
 * as "failed"; OCSP responses differ by a byte with the ECDSA signature, so only connect, receive
 * and exception failures are errors.
 */
export async function abPost(
  url: string,
  body: Uint8Array,
  contentType: string,
  dir: string,
  options: { requests?: number; concurrency?: number; keepAlive?: boolean } = {},
): Promise<Throughput> {
  const file = `${dir}/ab-body.der`;
  writeFileSync(file, body);
  const out = await run('ab', [
    ...(options.keepAlive ? ['-k'] : []),
    '-q',
    '-n',
    String(options.requests ?? 20_000),
    '-c',
    String(options.concurrency ?? 32),
    '-p',
    file,
    '-T',
    contentType,
    url,
  ]);
  const rps = /Requests per second:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`ab failed: ${out}`);
  const f = /\(Connect: (\d+), Receive: (\d+), Length: \d+, Exceptions: (\d+)\)/.exec(out);
  const non2xx = Number(/Non-2xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return {
    requestsPerSecond: Number(rps[1]),
    errors: f ? Number(f[1]) + Number(f[2]) + Number(f[3]) : 0,
    non2xx,
  };
}

/**
 * Latency at a fixed offered rate, open loop: one request every 1/rate s, evenly spaced (no bursts),
 * on kept-alive connections, each latency counted from the moment its request was due — so a request
 * that waits behind a slow one is counted with its wait. Runs in this process.
 */
export async function pacedLatency(
  url: string,
  options: { body: Uint8Array; headers: Record<string, string>; rate: number; seconds: number },
): Promise<Latency> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / options.rate;
  const count = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...options.headers, 'content-length': String(options.body.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - due);
            else errors++;
            resolve();
          });
          res.on('error', () => {
            errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(options.body);
    });
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(due));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), requestsPerSecond: latencies.length / seconds, errors };
}
