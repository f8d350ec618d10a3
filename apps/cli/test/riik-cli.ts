import { spawn } from 'node:child_process';
import { RIIK_BIN } from './estate-harness.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI as a user would. Asynchronous on purpose: the services a test talks to often
 * run in the test's own process, and a blocking spawn would stop them from answering.
 */
export function riik(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RIIK_BIN, ...args], {
      env: { ...process.env, RIIK_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
