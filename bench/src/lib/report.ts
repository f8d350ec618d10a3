import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@riik/testing';

/** The machine a figure was measured on, for every line of docs/benchmarks.md. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length}× ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export interface BenchResult {
  /** Short name, e.g. "ocsp". */
  name: string;
  title: string;
  command: string;
  /** Markdown table rows: [what, riik, peer/limit, ratio/goal]. */
  rows: string[][];
  header: string[];
  notes?: string[];
  /** Machine-readable figures, written to bench/results/<name>.json. */
  data: Record<string, unknown>;
}

/** Append a dated section to docs/benchmarks.md and write bench/results/<name>.json. */
export function report(result: BenchResult): void {
  const doc = join(repoRoot, 'docs', 'benchmarks.md');
  if (!existsSync(doc))
    writeFileSync(doc, '# Benchmarks\n\nFigures appended by `npm run bench`; newest last.\n');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    '',
    `## ${result.title} — ${date} UTC`,
    '',
    `Machine: ${machine()}. Command: \`${result.command}\`.`,
    '',
    `| ${result.header.join(' | ')} |`,
    `| ${result.header.map(() => '---').join(' | ')} |`,
    ...result.rows.map((r) => `| ${r.join(' | ')} |`),
    ...(result.notes?.length ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
    '',
  ];
  appendFileSync(doc, lines.join('\n'));
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${result.name}.json`),
    JSON.stringify({ date, machine: machine(), ...result.data }, null, 2),
  );
  process.stdout.write(lines.join('\n') + '\n');
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A letters-only synthetic name for person number i (names may not contain digits). */
export function syntheticName(prefix: string, i: number): string {
  let s = '';
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(65 + (n % 26)) + s;
    if (n < 26) break;
  }
  return `${prefix}${s}`;
}
