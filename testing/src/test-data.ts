import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor whose package.json declares workspaces. */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    if (dirname(dir) === dir) throw new Error(`no workspace root above ${from}`);
  }
}

/**
 * The shared, independently made test data (`../shared/test-data` next to the clone, or
 * `RIIK_TEST_DATA`). Tests read it in place and never copy or edit it. A missing folder is a
 * hard failure: a conformance test that silently skips cannot fail.
 */
export function testDataDir(...parts: string[]): string {
  const base = process.env.RIIK_TEST_DATA ?? resolve(repoRoot, '../shared/test-data');
  const dir = join(base, ...parts);
  if (!existsSync(dir)) {
    throw new Error(`shared test data not found at ${dir}; set RIIK_TEST_DATA to the test-data folder`);
  }
  return dir;
}

export function readTestJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(testDataDir(...parts), 'utf8')) as T;
}
