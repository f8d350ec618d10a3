import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@riik/testing';

/** The machine a benchmark ran on, as one line. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

export interface Row {
  metric: string;
  value: string;
  anchor?: string;
  ratio?: string;
  goal?: string;
}

const HEADER = `# Benchmarks

Every benchmark measures riik against a peer or a physical limit **in the same run** (the ratio is
what matters; the machine is shared and noisy) and appends its table here. Run them all with
\`npm run bench\` (after \`npx tsc -b\`), or one with \`node bench/dist/<name>.js\`. Raw results are in
\`bench/results/<name>.json\`. Benchmarks never fail CI.
`;

/** Append a section for one benchmark run to docs/benchmarks.md and write its JSON result. */
export async function report(
  name: string,
  title: string,
  command: string,
  rows: Row[],
  notes: string[],
  raw: unknown,
): Promise<void> {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  if (!existsSync(file)) writeFileSync(file, HEADER);
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const lines = [
    '',
    `## ${title}, ${date}`,
    '',
    `Machine: ${machine()}; load average at the end ${load} (the machine is shared). Command: \`${command}\`.`,
    '',
    '| metric | riik | anchor (same run) | ratio | goal |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) => `| ${r.metric} | ${r.value} | ${r.anchor ?? ''} | ${r.ratio ?? ''} | ${r.goal ?? ''} |`,
    ),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  // Appended, then formatted as the repository formats markdown (prettier --check runs in CI).
  const { format, resolveConfig } = await import('prettier');
  const text = readFileSync(file, 'utf8') + lines.join('\n');
  writeFileSync(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ name, date, machine: machine(), rows, raw }, null, 2) + '\n',
  );
  process.stdout.write(lines.join('\n') + '\n');
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** Run `fn` repeatedly for about `ms`; returns the count and the time taken. */
export async function burst(ms: number, fn: () => unknown): Promise<{ n: number; ms: number }> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return { n, ms: performance.now() - start };
}

/**
 * Compare two workloads on a noisy shared machine: alternate bursts of each, so both see the
 * same conditions, and return operations per second of each over all bursts.
 */
export async function interleaved(
  rounds: number,
  a: () => Promise<{ n: number; ms: number }>,
  b: () => Promise<{ n: number; ms: number }>,
): Promise<[number, number]> {
  const total = [
    { n: 0, ms: 0 },
    { n: 0, ms: 0 },
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of [a, b].entries()) {
      const got = await fn();
      total[k]!.n += got.n;
      total[k]!.ms += got.ms;
    }
  }
  return [(total[0]!.n / total[0]!.ms) * 1000, (total[1]!.n / total[1]!.ms) * 1000];
}
