import { isAlive, readState } from './state.js';

const DEFAULT_PORT_OFFSET: Record<string, number> = { ca: 1, tsa: 2 };

/**
 * The URL of a service of the local e-state: from `riik up`'s state file when it is running
 * from this data directory, else the default port plan (8700 + offset).
 */
export function estateUrl(dataDir: string, kind: string): string {
  const state = readState(dataDir);
  const running =
    state && isAlive(state.supervisorPid) ? state.services.find((s) => s.kind === kind) : undefined;
  return running?.url ?? `http://127.0.0.1:${8700 + (DEFAULT_PORT_OFFSET[kind] ?? 0)}`;
}
