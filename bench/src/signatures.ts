/**
 * Digital signatures benchmark (issue 4), on a real local e-state (CA with OCSP and TSA on
 * loopback ports, an eID token issued by the CA):
 *   - validation of 1-signature LT containers in a validating process of its own
 *     (signatures-validator.ts), CPU time per validation (goal ≥ 300/s per core), each container
 *     validated once: signers the validator has never seen, and new containers of signers it has seen;
 *   - `riik verify` wall time for one container, Node start-up included (goal < 500 ms);
 *   - riik's XMLDSig core verification against `xmlsec1 --verify` on the same signature;
 *   - `riik sign` of a 1 GiB file: peak RSS (goal < 150 MB) and time against `sha256sum` of the
 *     same file plus the fixed cost of a signature (PIN2 key derivation, TSA and OCSP round trips).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createPublicKey, randomFillSync } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  httpOcspSource,
  httpTimeStampSource,
  openContainer,
  PkiValidator,
  signDigests,
  TrustStore,
  validateContainer,
  writeSignedContainer,
  type ExtendToLtOptions,
} from '@riik/asice';
import { generateIdCode } from '@riik/core';
import { UnlockedKey } from '@riik/eid';
import { createLogger } from '@riik/http';
import { generatePrivateKey, SoftwareKeystore, SoftwareSigner } from '@riik/keys';
import { buildCsr, Certificate, csrToPem } from '@riik/pki';
import { initCa, startCaServer } from '@riik/service-ca';
import { initTsaKeys, installTsaCertificate, startTsaServer, tsaPaths } from '@riik/service-tsa';
import { repoRoot, tempDir } from '@riik/testing';
import { fmt, report } from './report.js';
import { ensureTool } from './lib/tools.js';
import type { ValidationRun, ValidatorResult } from './signatures-validator.js';

const RIIK = join(repoRoot, 'apps', 'cli', 'bin', 'riik.js');
const VALIDATOR = fileURLToPath(new URL('./signatures-validator.js', import.meta.url));
const PIN2 = '12345';
/** Signers for the validation measurements (two containers each), and for the warm-up. */
const SIGNERS = 300;
const WARM_UP = 100;
/**
 * Passes over the warm-up containers before measuring. A validator is a long-running process,
 * and V8 keeps optimising for thousands of validations: after 1,000 warm-up validations the
 * non-cryptographic part of a validation still cost 1.5-2 times what it costs after 4,000
 * (measured with the ECDSA verifications taken out).
 */
const WARM_UP_PASSES = 20;

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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * 1-signature LT containers by distinct signers, made as `riik sign` makes them (data file
 * digested into the ZIP, XAdES signed with the key, time-stamped by the TSA service and OCSP
 * from the CA service), with a person signing certificate the CA issues for each signer. Two
 * per signer: those of the first `warmUp` signers go to <dir>/warm-up, the others' to
 * <dir>/first and <dir>/second (the same signer under the same file name in both).
 */
async function makeContainers(
  issue: (csrPem: string, idCode: string) => Promise<Certificate>,
  lt: ExtendToLtOptions,
  dir: string,
  signers: number,
  warmUp: number,
): Promise<void> {
  for (const sub of ['warm-up', 'first', 'second']) mkdirSync(join(dir, sub));
  for (let i = 0; i < signers; i++) {
    const privateKey = generatePrivateKey('EC-P384');
    const certificate = await issue(
      csrToPem(await buildCsr(new SoftwareSigner(privateKey))),
      generateIdCode({ born: '1980-01-01', sex: i % 2 ? 'male' : 'female', serial: i % 1000 }),
    );
    const key = new UnlockedKey(privateKey, createPublicKey(privateKey));
    for (const [n, sub] of (['first', 'second'] as const).entries()) {
      const file = join(dir, 'leping.txt');
      const name = `${String(i).padStart(4, '0')}${i < warmUp ? `-${n}` : ''}.asice`;
      writeFileSync(file, `Müüja ja ostja lepivad kokku (leping ${i}-${n}).\n`.repeat(100));
      await writeSignedContainer(join(dir, i < warmUp ? 'warm-up' : sub, name), {
        dataFiles: [{ name: 'leping.txt', mediaType: 'text/plain', content: { path: file } }],
        mtime: new Date(),
        sign: async (digests) => [
          (
            await signDigests({
              signingCertificate: certificate,
              signDigest: (digest) => Promise.resolve(key.signDigest(digest)),
              dataFiles: digests,
              lt,
            })
          ).file,
        ],
      });
    }
  }
}

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
    const trust = TrustStore.fromCertificates([pem('root')]);
    const pki = new PkiValidator(trust);
    const check = await validateContainer(bytes, { pki });
    if (check.verdict !== 'VALID') throw new Error(`benchmark container is ${check.verdict}`);

    // distinct containers: a warm-up set, then SIGNERS signers with two containers each
    process.stderr.write(
      `signing ${2 * (WARM_UP + SIGNERS)} containers by ${WARM_UP + SIGNERS} signers...\n`,
    );
    const issue = async (csr: string, idCode: string) =>
      (
        await ca.service.issue({
          profile: 'person-sign',
          csr,
          subject: { idCode, givenName: 'Mari', surname: 'Tamm', documentType: 'id-card' },
        })
      ).certificate;
    const lt = {
      timeStamp: httpTimeStampSource(`${tsa.url}/tsa`),
      ocsp: httpOcspSource(`${ca.url}/ocsp`),
      trust,
      certificates: [pem('esteid')],
    };
    mkdirSync(path('made'));
    await makeContainers(issue, lt, path('made'), WARM_UP + SIGNERS, WARM_UP);

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
    process.stderr.write('validating in a process of its own...\n');
    const load = loadavg()[0]!;
    const validator = await exec(process.execPath, [
      VALIDATOR,
      JSON.stringify({ dataDir: data, madeDir: path('made'), warmUpPasses: WARM_UP_PASSES }),
    ]);
    if (validator.code !== 0) throw new Error(`validating process: ${validator.out}`);
    const {
      newSigners,
      knownSigners,
      p384VerificationsPerCpuSecond: p384,
    } = JSON.parse(validator.out) as ValidatorResult;
    const all = ['first', 'second'].flatMap((sub) =>
      readdirSync(path(join('made', sub))).map((name) => readFileSync(path(join('made', sub, name)))),
    );
    let next = 0;
    const coreOnly = await perSecond(() => validateContainer(all[next++ % all.length]!), 3);
    const perCore = (run: ValidationRun) => 1000 / run.cpuMsPerValidation;

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
          metric: `validate 1-signature LT containers of signers never seen before, per core (CPU time; ${newSigners.containers} containers, each once)`,
          value: `${fmt(perCore(newSigners))}/s (${fmt(newSigners.cpuMsPerValidation, 2)} ms CPU each; wall ${fmt(newSigners.wallPerSecond)}/s)`,
          anchor: `P-384 verifications per CPU second: ${fmt(p384)}; a container needs 4 (SignatureValue, signer certificate, time-stamp, OCSP)`,
          ratio: `${fmt((perCore(newSigners) * 4) / p384, 2)} of the limit`,
          goal: `≥ 300/s per core: ${fmt(perCore(newSigners) / 300, 2)}×`,
        },
        {
          metric: `validate new 1-signature LT containers of signers seen before, per core (CPU time; ${knownSigners.containers} containers, each once)`,
          value: `${fmt(perCore(knownSigners))}/s (${fmt(knownSigners.cpuMsPerValidation, 2)} ms CPU each; wall ${fmt(knownSigners.wallPerSecond)}/s)`,
          anchor: 'a container needs 3 verifications (the signer certificate was verified before)',
          ratio: `${fmt((perCore(knownSigners) * 3) / p384, 2)} of the limit`,
          goal: `≥ 300/s per core: ${fmt(perCore(knownSigners) / 300, 2)}×`,
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
        `Load average when the measurements began: ${fmt(load, 1)} on ${cpus().length} cores. Validation rates are per CPU second of the validating process (user + system, all its threads), so other load on the machine affects them less than wall-clock rates; the wall-clock rate is given too.`,
        `Validation: ${2 * SIGNERS} distinct containers by ${SIGNERS} signers, each with a person signing certificate of its own from the CA service, each container validated once, in a Node process of its own that has not seen the signers (the benchmark process signed them, which leaves their certificates parsed and verified in its cache), after ${WARM_UP_PASSES} passes over ${2 * WARM_UP} warm-up containers of ${WARM_UP} other signers. First one container of every signer (a signer the validator has not seen: its certificate is parsed, its key loaded and its path verified), then the other container of every signer (new signature, time-stamp and OCSP response, known signer certificate). What is kept between validations is keyed by certificate DER only (parsed certificates, their public keys, verified issuer signatures): the CA, TSA and OCSP responder certificates, which a validator meets in every container, and the certificates of returning signers.`,
        'The container and the e-state are real: `riik sign` with an eID token issued by the CA, the CA service answering OCSP and the TSA service time-stamping on loopback ports; trust is the e-state root.',
        'The fixed cost of a signature is `riik sign` of a 3 KB file: Node start-up, the PIN2 key derivation of the token (scrypt), one TSA and one OCSP round trip (the checks of both, of the signer path and of the signature value are made while signing).',
        "`xmlsec1 --verify` verifies the same signature file against the same data file, the SignedProperties Id registered; its rate includes starting a process per verification, riik's is in one process.",
      ],
      {
        newSigners,
        knownSigners,
        p384VerificationsPerCpuSecond: p384,
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
