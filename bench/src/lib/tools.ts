import { spawnSync } from 'node:child_process';

/** Make sure a Debian tool is present (installing its package when running as root). */
export function ensureTool(command: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${command} is missing: apt-get install ${pkg}`);
  process.stderr.write(`installing ${pkg} for the benchmark...\n`);
  const r = spawnSync(
    'sh',
    [
      '-c',
      `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg} >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg} >/dev/null)`,
    ],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error(`could not install ${pkg}`);
}
