import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

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
  p50: number;
  p99: number;
  requestsPerSecond: number;
  errors: number;
}

/** Latency at a fixed offered rate (autocannon paces requests; wrk cannot). */
export async function pacedPost(
  url: string,
  body: Uint8Array,
  contentType: string,
  rate: number,
  seconds = 10,
): Promise<Latency> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': contentType },
    body: Buffer.from(body),
    connections: 20,
    overallRate: rate,
    duration: seconds,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

/**
 * Throughput with ApacheBench: a new connection per request (HTTP/1.0, no keep-alive), which is
 * the only mode `openssl ocsp -port` serves reliably, so riik and openssl are driven identically.
 * ab counts responses whose length differs from the first as "failed"; OCSP responses differ by
 * a byte with the ECDSA signature, so only connect/receive/exception failures are errors.
 */
export async function abPost(
  url: string,
  body: Uint8Array,
  contentType: string,
  dir: string,
  requests = 20_000,
  concurrency = 32,
): Promise<Throughput> {
  const file = `${dir}/ab-body.der`;
  writeFileSync(file, body);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('ab', [
      '-q',
      '-n',
      String(requests),
      '-c',
      String(concurrency),
      '-p',
      file,
      '-T',
      contentType,
      url,
    ]);
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
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
