import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runTool, tempDir } from '@riik/testing';
import { RIIK_BIN } from './estate-harness.js';

interface StatusJson {
  running: boolean;
  services: Array<{
    name: string;
    kind: string;
    url: string;
    healthy: boolean;
    owner?: string;
    clientUrl?: string;
  }>;
}

describe('riik up: the X-Road walking skeleton', () => {
  it('three organisations exchange data through their security servers, from the shell with curl', async () => {
    const dir = tempDir('riik-up-xroad-');
    const portBase = 24_000 + (process.pid % 150) * 50;
    const up = spawn(
      process.execPath,
      [RIIK_BIN, 'up', '--data', dir.path, '--port-base', String(portBase), '--json'],
      {
        env: { ...process.env, RIIK_LOG_LEVEL: 'silent' },
      },
    );
    try {
      let out = '';
      let err = '';
      up.stdout.on('data', (d: Buffer) => (out += d.toString()));
      up.stderr.on('data', (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 600 && !out.trim().endsWith('}'); i++) {
        if (up.exitCode !== null) throw new Error(`riik up exited: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const status = await runTool(process.execPath, [RIIK_BIN, 'status', '--data', dir.path, '--json']);
      expect(status.status, status.out).toBe(0);
      const { services } = JSON.parse(status.out) as StatusJson;
      const ss = (owner: string) => services.find((s) => s.kind === 'security-server' && s.owner === owner)!;
      expect(services.filter((s) => s.kind === 'security-server').map((s) => s.owner)).toEqual([
        'EE-DEV/GOV/70000562',
        'EE-DEV/GOV/70000349',
        'EE-DEV/GOV/70000310',
      ]);
      expect(services.every((s) => s.healthy)).toBe(true);
      expect(services.find((s) => s.kind === 'central-server')?.url).toBe(`http://127.0.0.1:${portBase + 3}`);

      const curl = (clientUrl: string, client: string) =>
        runTool('curl', [
          '-s',
          '-i',
          '-H',
          `X-Road-Client: ${client}`,
          `${clientUrl}/r1/EE-DEV/GOV/70000562/rr/persons/38001085718`,
        ]);
      const ok = await curl(ss('EE-DEV/GOV/70000349').clientUrl!, 'EE-DEV/GOV/70000349/emta');
      expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
      expect(ok.out).toContain('"givenName":"JAAK-KRISTJAN"');
      expect(ok.out).toContain('"surname":"JÕEORG"');
      expect(ok.out).toMatch(/x-road-request-hash: [A-Za-z0-9+/]{86}==/i);
      const denied = await curl(ss('EE-DEV/GOV/70000310').clientUrl!, 'EE-DEV/GOV/70000310/arireg');
      expect(denied.out).toMatch(/^HTTP\/1\.1 500/);
      expect(denied.out).toMatch(/x-road-error: Server\.ServerProxy\.AccessDenied/i);
      expect(denied.out).toContain('"type":"Server.ServerProxy.AccessDenied"');
    } finally {
      up.kill('SIGTERM');
      await new Promise((r) => (up.exitCode !== null ? r(undefined) : up.once('exit', r)));
      dir.remove();
    }
  });
});
