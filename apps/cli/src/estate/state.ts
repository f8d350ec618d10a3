import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What `riik up` writes for `riik status`: the running processes of the local e-state. */
export interface EstateState {
  supervisorPid: number;
  startedAt: string;
  dataDir: string;
  services: Array<
    { name: string; kind: string; url: string; pid: number; log: string } & Record<string, unknown>
  >;
}

export function statePath(dataDir: string): string {
  return join(dataDir, 'run', 'estate.json');
}

export function writeState(dataDir: string, state: EstateState): void {
  const file = statePath(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
}

export function readState(dataDir: string): EstateState | undefined {
  const file = statePath(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EstateState;
}

export function clearState(dataDir: string): void {
  rmSync(statePath(dataDir), { force: true });
}

/** Whether a process is alive (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
