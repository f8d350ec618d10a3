import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolResult {
  /** stdout followed by stderr: openssl and xmlsec1 print verdicts on either. */
  out: string;
  status: number;
}

/**
 * Run an independent tool (openssl, xmlsec1, curl) without blocking the event loop: services
 * under test often run in the same process and must keep answering while the tool talks to them.
 */
export function runTool(command: string, args: string[], input?: Uint8Array): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ out: out + err, status: status ?? -1 }));
    child.stdin.end(input);
  });
}

export function openssl(args: string[], input?: Uint8Array): Promise<ToolResult> {
  return runTool('openssl', args, input);
}

/** Write files into `dir`; returns name → path. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}
