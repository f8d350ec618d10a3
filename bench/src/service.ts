import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot, tempDir } from '@riik/testing';

const RIIK = join(repoRoot, 'apps/cli/bin/riik.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A fresh data directory with a CA and a provisioned time-stamping service (via the riik CLI). */
export function prepareData(): { path: string; remove: () => void } {
  const dir = tempDir('riik-bench-');
  for (const args of [
    ['ca', 'init', '--data', dir.path, '--json'],
    ['tsa', 'init', '--data', dir.path, '--json'],
  ])
    execFileSync(process.execPath, [RIIK, ...args], { stdio: 'ignore' });
  return dir;
}

/**
 * `riik serve tsa` as its own process, so the load generator (in this process) and the service
 * each have a core of the 2-core machine.
 */
export async function startService(
  dataDir: string,
  settings: Record<string, unknown>,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const config = join(dataDir, 'bench-config.json');
  writeFileSync(config, JSON.stringify(settings));
  const child = spawn(
    process.execPath,
    [RIIK, 'serve', 'tsa', '--data', dataDir, '--port', String(port), '--config', config],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, RIIK_LOG_LEVEL: 'warn' },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('riik serve tsa exited');
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      if (i > 200) throw new Error('riik serve tsa did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
