/**
 * The validating process of the signatures benchmark (started by signatures.ts): a process
 * that has never seen the signers, as a validation service that receives their containers.
 * The benchmark process cannot measure this itself: it made the containers, and signing checks
 * the signer's path and signature value, which leaves every signer certificate parsed, its key
 * loaded and its issuer signature verified in the process-wide certificate cache.
 *
 * argv: JSON { dataDir, madeDir, warmUpPasses }. Reads <madeDir>/{warm-up,first,second}/*.asice,
 * validates the warm-up set `warmUpPasses` times, then every `first` container once (signers never
 * seen), then every `second` container once (signers seen before), and prints a JSON result.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiValidator, TrustStore, validateContainer } from '@riik/asice';
import { Certificate } from '@riik/pki';

export interface ValidationRun {
  containers: number;
  cpuMsPerValidation: number;
  wallPerSecond: number;
}

export interface ValidatorResult {
  newSigners: ValidationRun;
  knownSigners: ValidationRun;
  /** ECDSA P-384 verifications per CPU second in the same process, before and after (mean). */
  p384VerificationsPerCpuSecond: number;
}

/** CPU time of this process so far (user + system, all threads), milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The physical limit of validation: ECDSA P-384 verifications per CPU second (one core), each
 * with a key and signature of its own as in a validator.
 */
function p384VerificationsPerCpuSecond(): number {
  const data = Buffer.alloc(200, 1);
  const cases = Array.from({ length: 20 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    return { publicKey, signature: sign('sha384', data, privateKey) };
  });
  let n = 0;
  const start = cpuMs();
  while (cpuMs() - start < 1000) {
    const c = cases[n % cases.length]!;
    verify('sha384', data, c.publicKey, c.signature);
    n++;
  }
  return (n * 1000) / (cpuMs() - start);
}

/** Validate each container once; CPU time and wall clock of the whole pass. */
async function validateEach(containers: Uint8Array[], pki: PkiValidator): Promise<ValidationRun> {
  const cpu0 = cpuMs();
  const wall0 = performance.now();
  for (const bytes of containers) {
    const result = await validateContainer(bytes, { pki });
    if (result.verdict !== 'VALID') throw new Error(`benchmark container is ${result.verdict}`);
  }
  const wall = performance.now() - wall0;
  return {
    containers: containers.length,
    cpuMsPerValidation: (cpuMs() - cpu0) / containers.length,
    wallPerSecond: (containers.length * 1000) / wall,
  };
}

function containersIn(dir: string): Uint8Array[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.asice'))
    .sort()
    .map((name) => new Uint8Array(readFileSync(join(dir, name))));
}

const { dataDir, madeDir, warmUpPasses } = JSON.parse(process.argv[2]!) as {
  dataDir: string;
  madeDir: string;
  warmUpPasses: number;
};
const root = Certificate.fromPem(readFileSync(join(dataDir, 'ca', 'certs', 'root.pem'), 'utf8'));
const pki = new PkiValidator(TrustStore.fromCertificates([root]));
const warmUp = containersIn(join(madeDir, 'warm-up'));
const first = containersIn(join(madeDir, 'first'));
const second = containersIn(join(madeDir, 'second'));

// The limit is measured before the warm-up and after the measured passes, never between: a
// second of nothing but verifications there let V8 age out the validation code it had optimised
// (bytecode flushing), and the next pass ran 10-25 % slower.
const p384Before = p384VerificationsPerCpuSecond();
for (let i = 0; i < warmUpPasses; i++) await validateEach(warmUp, pki);
const newSigners = await validateEach(first, pki);
const knownSigners = await validateEach(second, pki);
const p384 = (p384Before + p384VerificationsPerCpuSecond()) / 2;
const result: ValidatorResult = { newSigners, knownSigners, p384VerificationsPerCpuSecond: p384 };
process.stdout.write(JSON.stringify(result));
