import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Run openssl, returning stdout+stderr and the exit status (openssl prints verdicts on either). */
export function openssl(args: string[], input?: Uint8Array): { out: string; status: number } {
  const r = spawnSync('openssl', args, { input, encoding: 'buffer' });
  return { out: r.stdout.toString('utf8') + r.stderr.toString('utf8'), status: r.status ?? -1 };
}

export function opensslText(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}
