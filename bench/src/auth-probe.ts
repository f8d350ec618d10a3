import { readFileSync } from 'node:fs';
import { cpuMs, startLoginEstate, type LoginEstate } from './auth-estate.js';

/**
 * Development probe, not a benchmark.
 *
 * `node bench/dist/auth-probe.js load [logins] [concurrency]`: the login service's and this
 * client's CPU per login under load.
 *
 * `node bench/dist/auth-probe.js steps [rounds] [other riik.js]`: the service's main-thread CPU
 * per request of a login (from /proc schedstat, one login at a time); with another build's
 * `apps/cli/bin/riik.js`, both services run side by side and take turns, so both see the same
 * machine.
 */
const [mode = 'steps', arg1, arg2] = process.argv.slice(2);

function schedstatOf(estate: LoginEstate): () => number {
  const file = `/proc/${estate.authPid}/task/${estate.authPid}/schedstat`;
  return () => Number(readFileSync(file, 'utf8').split(' ')[0]);
}

async function load(estate: LoginEstate, n: number, concurrency: number): Promise<void> {
  const service0 = cpuMs(estate.authPid)!;
  const client0 = process.cpuUsage();
  const started = performance.now();
  let left = n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await estate.login();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(client0);
  const service = cpuMs(estate.authPid)! - service0;
  process.stdout.write(
    `${n} logins, ${(n / seconds).toFixed(0)}/s; service CPU ${(service / n).toFixed(2)} ms/login, ` +
      `client CPU ${((client.user + client.system) / 1000 / n).toFixed(2)} ms/login\n`,
  );
}

/** Add the main-thread CPU of each request of `runs` sequential logins into `into` (ns). */
async function steps(estate: LoginEstate, runs: number, into: Map<string, number[]>): Promise<void> {
  const schedstat = schedstatOf(estate);
  const sums = new Map<string, number>();
  for (let i = 0; i < runs; i++) {
    let last = schedstat();
    await estate.login((name) => {
      const now = schedstat();
      sums.set(name, (sums.get(name) ?? 0) + now - last);
      last = now;
    });
  }
  let total = 0;
  for (const [name, ns] of sums) {
    total += ns;
    into.set(name, [...(into.get(name) ?? []), ns / runs / 1e6]);
  }
  into.set('login', [...(into.get('login') ?? []), total / runs / 1e6]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const estates = [await startLoginEstate()];
if (mode === 'steps' && arg2) estates.push(await startLoginEstate({ riik: arg2 }));
try {
  for (const estate of estates) for (let i = 0; i < 200; i++) await estate.login();
  if (mode === 'load') await load(estates[0]!, Number(arg1 ?? 500), Number(arg2 ?? 4));
  else {
    const results = estates.map(() => new Map<string, number[]>());
    const rounds = Number(arg1 ?? 6);
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first, so neither always follows the other
      const order = r % 2 === 0 ? [...estates.keys()] : [...estates.keys()].reverse();
      for (const i of order) await steps(estates[i]!, 50, results[i]!);
    }
    const names = [...results[0]!.keys()];
    const header = estates.length > 1 ? 'this build | other build (medians of rounds of 50 logins)' : '';
    process.stdout.write(`main-thread CPU per request, ms ${header}\n`);
    for (const name of names) {
      const cells = results.map((m) => median(m.get(name)!).toFixed(3));
      process.stdout.write(`  ${cells.join('  ')}  ${name}\n`);
    }
    if (estates.length > 1) {
      // paired by round: both builds ran under the same conditions within a round
      const a = results[0]!.get('login')!;
      const b = results[1]!.get('login')!;
      const ratios = a.map((x, i) => x / b[i]!).sort((x, y) => x - y);
      const q = (f: number) => ratios[Math.floor(f * (ratios.length - 1))]!.toFixed(3);
      process.stdout.write(
        `  login this/other per round: median ${q(0.5)} (quartiles ${q(0.25)} – ${q(0.75)})\n`,
      );
    }
  }
} finally {
  for (const estate of estates) await estate.close();
}
