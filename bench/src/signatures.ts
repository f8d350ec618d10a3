/**
 * Digital signatures benchmark (issue 4), on a real local e-state (CA with OCSP and TSA on
 * loopback ports, an eID token issued by the CA):
 *   - in-process validation of a 1-signature LT container (goal ≥ 300/s per core);
 *   - `riik verify` wall time for one container, Node start-up included (goal < 500 ms);
 *   - riik's XMLDSig core verification against `xmlsec1 --verify` on the same signature;
 *   - `riik sign` of a 1 GiB file: peak RSS (goal < 150 MB) and time against `sha256sum` of the
 *     same file plus the fixed cost of a signature (PIN2 key derivation, TSA and OCSP round trips).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { generateKeyPairSync, randomFillSync, sign, verify } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { openContainer, PkiValidator, TrustStore, validateContainer } from '@riik/asice';
import { createLogger } from '@riik/http';
import { SoftwareKeystore } from '@riik/keys';
import { buildCsr, Certificate, csrToPem } from '@riik/pki';
import { initCa, startCaServer } from '@riik/service-ca';
import { initTsaKeys, installTsaCertificate, startTsaServer, tsaPaths } from '@riik/service-tsa';
import { repoRoot, tempDir } from '@riik/testing';
import { fmt, report } from './report.js';
import { ensureTool } from './lib/tools.js';

const RIIK = join(repoRoot, 'apps', 'cli', 'bin', 'riik.js');
const PIN2 = '12345';

interface Run {
  wallMs: number;
  /** User + system CPU time: what the command costs whatever else the machine does. */
  cpuMs: number;
  maxRssKb: number;
  code: number;
  out: string;
}

/** A command timed by GNU time (wall clock and peak RSS of the whole process). */
function timed(command: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M %U %S', command, ...args], { cwd });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
      resolve({
        wallMs: m ? Number(m[1]) * 1000 : NaN,
        cpuMs: m ? (Number(m[3]) + Number(m[4])) * 1000 : NaN,
        maxRssKb: m ? Number(m[2]) : NaN,
        code: code ?? -1,
        out,
      });
    });
  });
}

function exec(command: string, args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, out: stdout + stderr }),
    );
  });
}

async function wallOf(command: string, args: string[], times: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const r = await exec(command, args);
    if (r.code !== 0 && command !== 'xmlsec1') throw new Error(`${command} ${args.join(' ')}: ${r.out}`);
    out.push(performance.now() - start);
  }
  return out;
}

/** The physical limit of validation: ECDSA P-384 verifications per second in one process. */
function p384VerificationsPerSecond(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const data = Buffer.alloc(200, 1);
  const signature = sign('sha384', data, privateKey);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    verify('sha384', data, publicKey, signature);
    n++;
  }
  return n / 2;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Operations per second of `op` over about `seconds`. */
async function perSecond(op: () => Promise<unknown>, seconds: number): Promise<number> {
  for (let i = 0; i < 20; i++) await op(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await op();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export async function run(): Promise<void> {
  ensureTool('xmlsec1', 'xmlsec1');
  const dir = tempDir('riik-bench-signatures-');
  const data = dir.path;
  const path = (name: string) => join(data, name);
  const log = createLogger('bench', 'silent');
  await initCa({ dataDir: data });
  const ca = await startCaServer({ dataDir: data, port: 0, log });
  initTsaKeys(data, { instance: 'EE-BENCH' });
  const tsaKey = SoftwareKeystore.open(tsaPaths(data).keys).signer('tsa');
  const { certificate } = await ca.service.issue({
    profile: 'tsa',
    csr: csrToPem(await buildCsr(tsaKey)),
    subject: { commonName: 'riik bench TSA', organisation: 'riik' },
  });
  const pem = (id: string) =>
    Certificate.fromPem(readFileSync(join(data, 'ca', 'certs', `${id}.pem`), 'utf8'));
  installTsaCertificate(data, certificate, [pem('org')], pem('root'));
  const tsa = await startTsaServer({ dataDir: data, port: 0, log });
  const common = ['--data', data, '--tsa', `${tsa.url}/tsa`, '--ocsp', `${ca.url}/ocsp`];
  let servicesClosed = false;
  try {
    const issued = await exec(process.execPath, [
      RIIK, 'card', 'issue', '--data', data, '--ca', ca.url, '--idcode', '38001085718', '--given-name', 'Mari',
      '--surname', 'Tamm', '--out', path('card.json'), '--pin1', '1234', '--pin2', PIN2, '--puk', '12345678',
    ]); // prettier-ignore
    if (issued.code !== 0) throw new Error(issued.out);

    // a 1-signature LT container over a small document, made by riik sign
    writeFileSync(path('leping.txt'), 'Müüja ja ostja lepivad kokku.\n'.repeat(100));
    const small = await timed(process.execPath, [
      RIIK, 'sign', path('leping.txt'), '--card', path('card.json'), '--pin2', PIN2, '--out', path('leping.asice'),
      ...common,
    ]); // prettier-ignore
    if (small.code !== 0) throw new Error(small.out);
    const bytes = readFileSync(path('leping.asice'));
    const pki = new PkiValidator(TrustStore.fromCertificates([pem('root')]));
    const check = await validateContainer(bytes, { pki });
    if (check.verdict !== 'VALID') throw new Error(`benchmark container is ${check.verdict}`);

    // 1 GiB of random data (incompressible, like most large documents)
    process.stderr.write('writing a 1 GiB file...\n');
    const big = path('big.bin');
    const fd = openSync(big, 'w');
    const chunk = Buffer.alloc(8 * 2 ** 20);
    for (let i = 0; i < 128; i++) writeSync(fd, randomFillSync(chunk));
    closeSync(fd);
    await exec('sha256sum', [big]); // page cache warm for both
    const sha = await timed('sha256sum', [big]);
    process.stderr.write('riik sign of 1 GiB...\n');
    const signBig = await timed(process.execPath, [
      RIIK, 'sign', big, '--card', path('card.json'), '--pin2', PIN2, '--out', path('big.asice'), ...common,
    ]); // prettier-ignore
    if (signBig.code !== 0) throw new Error(signBig.out);
    const fixed = await timed(process.execPath, [
      RIIK, 'sign', path('leping.txt'), '--card', path('card.json'), '--pin2', PIN2, '--out', path('again.asice'),
      ...common,
    ]); // prettier-ignore
    const verifyBig = await timed(process.execPath, [RIIK, 'verify', path('big.asice'), '--data', data]);

    // the services are not needed any more: measure without them sharing the process
    await tsa.close();
    await ca.close();
    servicesClosed = true;
    process.stderr.write('validating in-process...\n');
    const load = loadavg()[0]!;
    const validations = await perSecond(() => validateContainer(bytes, { pki }), 5);
    const p384 = p384VerificationsPerSecond();
    const coreOnly = await perSecond(() => validateContainer(bytes), 3);

    process.stderr.write('riik verify wall time...\n');
    const verifyWall = await wallOf(
      process.execPath,
      [RIIK, 'verify', path('leping.asice'), '--data', data],
      10,
    );
    const verifyCpu: number[] = [];
    for (let i = 0; i < 10; i++)
      verifyCpu.push(
        (await timed(process.execPath, [RIIK, 'verify', path('leping.asice'), '--data', data])).cpuMs,
      );
    const nodeWall = await wallOf(process.execPath, ['-e', '0'], 10);

    // XMLDSig core: the same signature and data file for xmlsec1 and for riik
    const container = await openContainer(bytes);
    writeFileSync(path('signatures0.xml'), container.signatureFiles[0]!.bytes);
    container.close();
    const xmlsecArgs = [
      '--verify', '--id-attr:Id', 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      '--trusted-pem', join(data, 'ca', 'certs', 'root.pem'), '--untrusted-pem', join(data, 'ca', 'certs', 'esteid.pem'),
      path('signatures0.xml'),
    ]; // prettier-ignore
    const xmlsecCheck = await exec('xmlsec1', xmlsecArgs, data);
    if (!xmlsecCheck.out.includes('OK')) throw new Error(`xmlsec1 does not verify: ${xmlsecCheck.out}`);
    process.stderr.write('xmlsec1 --verify...\n');
    const xmlsecStart = performance.now();
    let xmlsecRuns = 0;
    while (performance.now() - xmlsecStart < 5000) {
      await exec('xmlsec1', xmlsecArgs, data);
      xmlsecRuns++;
    }
    const xmlsecPerSecond = (xmlsecRuns * 1000) / (performance.now() - xmlsecStart);

    const verifyMedian = median(verifyWall);
    const signRatio = (signBig.wallMs - fixed.wallMs) / sha.wallMs;
    await report(
      'signatures',
      'Digital signatures: validation, riik verify, XMLDSig vs xmlsec1, signing 1 GiB',
      'npm run bench -- signatures',
      [
        {
          metric: 'validate a 1-signature LT container in-process (PKI checks included), containers/s',
          value: fmt(validations),
          anchor: `P-384 verifications/s: ${fmt(p384)}; a container needs 3 (SignatureValue, time-stamp, OCSP)`,
          ratio: `${fmt((validations * 3) / p384, 2)} of the limit`,
          goal: `≥ 300/s per core: ${fmt(validations / 300, 2)}×`,
        },
        {
          metric: '`riik verify` of that container, wall time (median of 10, Node start-up included)',
          value: `${fmt(verifyMedian)} ms`,
          anchor: `\`node -e 0\`: ${fmt(median(nodeWall))} ms`,
          goal: `< 500 ms: ${verifyMedian < 500 ? 'met' : 'not met'}`,
        },
        {
          metric: '`riik verify` of that container, CPU time (user + system, all threads, median of 10)',
          value: `${fmt(median(verifyCpu))} ms`,
        },
        {
          metric: 'XMLDSig core (references, SignedProperties, SignatureValue) per second',
          value: `in-process: ${fmt(coreOnly)}`,
          anchor: `\`xmlsec1 --verify\` (a process each): ${fmt(xmlsecPerSecond, 1)}`,
          ratio: `${fmt(coreOnly / xmlsecPerSecond, 1)}×`,
        },
        {
          metric: '`riik sign` of a 1 GiB file: peak RSS',
          value: `${fmt(signBig.maxRssKb / 1024)} MiB`,
          anchor: `signing a 3 KB file: ${fmt(fixed.maxRssKb / 1024)} MiB`,
          goal: `< 150 MB: ${signBig.maxRssKb * 1024 < 150e6 ? 'met' : 'not met'}`,
        },
        {
          metric: '`riik sign` of a 1 GiB file: wall time',
          value: `${fmt(signBig.wallMs / 1000, 2)} s`,
          anchor: `\`sha256sum\`: ${fmt(sha.wallMs / 1000, 2)} s; signing a 3 KB file: ${fmt(fixed.wallMs / 1000, 2)} s`,
          ratio: `(riik − 3 KB) / sha256sum = ${fmt(signRatio, 2)}`,
          goal: `≤ 1.5: ${signRatio <= 1.5 ? 'met' : 'not met'}`,
        },
        {
          metric: '`riik verify` of the 1 GiB container, wall time / peak RSS',
          value: `${fmt(verifyBig.wallMs / 1000, 2)} s / ${fmt(verifyBig.maxRssKb / 1024)} MiB`,
        },
      ],
      [
        `Load average when the measurements began: ${fmt(load, 1)} on ${cpus().length} cores.`,
        'The container and the e-state are real: `riik sign` with an eID token issued by the CA, the CA service answering OCSP and the TSA service time-stamping on loopback ports; trust is the e-state root.',
        'The fixed cost of a signature is `riik sign` of a 3 KB file: Node start-up, the PIN2 key derivation of the token (scrypt), one TSA and one OCSP round trip (the checks of both, of the signer path and of the signature value are made while signing).',
        "`xmlsec1 --verify` verifies the same signature file against the same data file, the SignedProperties Id registered; its rate includes starting a process per verification, riik's is in one process.",
      ],
      {
        validationsPerSecond: validations,
        p384VerificationsPerSecond: p384,
        loadAverage: load,
        coreVerificationsPerSecond: coreOnly,
        xmlsecPerSecond,
        verifyWallMs: verifyWall,
        verifyCpuMs: verifyCpu,
        nodeWallMs: nodeWall,
        sign1GiB: { wallMs: signBig.wallMs, maxRssKb: signBig.maxRssKb },
        sha256sumMs: sha.wallMs,
        fixedSignMs: fixed.wallMs,
        verify1GiB: { wallMs: verifyBig.wallMs, maxRssKb: verifyBig.maxRssKb },
      },
    );
  } finally {
    if (!servicesClosed) {
      await tsa.close();
      await ca.close();
    }
    dir.remove();
  }
}
