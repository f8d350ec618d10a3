import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { generatePrivateKey, SoftwareKeystore, SoftwareSigner } from '@riik/keys';
import { buildTimeStampReq, Certificate, digestOf, parseTimeStampResp, TimeStampAuthority } from '@riik/pki';
import { tsaPaths } from '@riik/service-tsa';
import { burst, fmt, interleaved, pct, report } from './report.js';
import { prepareData, startService } from './service.js';

/**
 * RFC 3161 tokens per second over HTTP against raw ECDSA P-384 signatures per second, in one run.
 * Each token costs exactly one P-384 signature; the rest (request parsing, TSTInfo, CMS, HTTP)
 * is the overhead this measures. Goal: ≥ 80 % of the raw rate.
 */
export async function benchTsa(): Promise<void> {
  const data = prepareData();
  try {
    // Anchor: raw P-384 signatures over a signed-attributes-sized input, one core.
    const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const input = new Uint8Array(300).fill(7);
    const raw = () => burst(1000, () => key.signSync(input, 'SHA-384'));

    // In-process: the TSA with its real key and certificate, no HTTP.
    const keystore = SoftwareKeystore.open(tsaPaths(data.path).keys);
    const tsa = new TimeStampAuthority({
      signer: keystore.signer('tsa'),
      certificate: Certificate.fromPem(readFileSync(tsaPaths(data.path).certificate, 'utf8')),
      chain: Certificate.allFromPem(readFileSync(tsaPaths(data.path).chain, 'utf8')),
    });
    const request = buildTimeStampReq({
      hash: 'SHA-256',
      hashedMessage: digestOf('SHA-256', new Uint8Array([1])),
    }).der;
    await raw(); // warm-up
    await burst(500, () => tsa.respond(request));
    const [rawSigns, inProcess] = await interleaved(4, raw, () => burst(1000, () => tsa.respond(request)));

    // Over HTTP: riik serve tsa in its own process, autocannon here; alternated with raw bursts.
    const service = await startService(data.path, {});
    const sample = await fetch(`${service.url}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: request,
    });
    if (parseTimeStampResp(new Uint8Array(await sample.arrayBuffer())).status !== 'granted')
      throw new Error('TSA did not grant');
    const results: autocannon.Result[] = [];
    const http = async () => {
      const result = await autocannon({
        url: `${service.url}/tsa`,
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: Buffer.from(request),
        connections: 8,
        duration: 3,
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`TSA bench: ${result.non2xx} non-2xx, ${result.errors} errors`);
      results.push(result);
      return { n: result.requests.total, ms: result.duration * 1000 };
    };
    await http(); // warm-up
    results.length = 0;
    const [rawSigns2, tokens] = await interleaved(4, raw, http);
    await service.stop();
    const p = (k: 'p50' | 'p99') => Math.max(...results.map((r) => r.latency[k]));
    const result = {
      latency: { p50: p('p50'), p99: p('p99') },
      requests: results.map((r) => r.requests.total),
    };
    await report(
      'tsa',
      'RFC 3161 TSA',
      'npm run bench (bench/src/tsa.ts)',
      [
        {
          metric: 'raw ECDSA P-384 signatures/s (node:crypto, one core)',
          value: fmt(rawSigns),
          goal: 'anchor',
        },
        {
          metric: 'tokens/s in-process (TimeStampAuthority.respond)',
          value: fmt(inProcess),
          anchor: fmt(rawSigns),
          ratio: pct(inProcess / rawSigns),
        },
        {
          metric: 'tokens/s over HTTP (autocannon, 8 connections, 4 × 3 s)',
          value: fmt(tokens),
          anchor: fmt(rawSigns2),
          ratio: pct(tokens / rawSigns2),
          goal: '≥ 80 %',
        },
        {
          metric: 'HTTP latency p50 / p99 (worst of the 4 windows)',
          value: `${result.latency.p50} / ${result.latency.p99} ms`,
        },
      ],
      [
        'Each token is one P-384 signature (SHA-384) plus request parsing, TSTInfo, CMS SignedData with four signed attributes, two certificates (certReq) and HTTP.',
        'Raw signatures and tokens are measured in alternating bursts (4 × 1 s against 4 × 1 s in-process, 4 × 1 s against 4 × 3 s over HTTP) so both see the same load on the shared machine.',
        'Anchor from the field: commercial TSAs advertise 500+ tokens/s.',
      ],
      { rawSigns, inProcess, rawSignsDuringHttp: rawSigns2, http: { tokensPerSecond: tokens, ...result } },
    );
  } finally {
    data.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchTsa();
