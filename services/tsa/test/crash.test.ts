import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@riik/testing';
import {
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
} from '@riik/core';
import {
  calendarLeafHash,
  KsiClient,
  signatureCheckpoint,
  verifyKsiSignature,
  type KsiSignature,
} from '@riik/ksi';
import { tsaFixture, type TsaFixture } from './helpers.js';

const RIIK = join(repoRoot, 'apps/cli/bin/riik.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the service did not become healthy');
}

/**
 * Durability: the service runs as a real process (the riik CLI, from the build), is killed with
 * SIGKILL while batches stream in, and restarted. The calendar after the restart must be an
 * extension of every checkpoint seen before the crash (a consistency proof shows it), and every
 * signature handed out before the crash must still be in it.
 */
describe('time-stamping service killed with SIGKILL mid-stream', () => {
  let fx: TsaFixture;
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fx?.dir.remove();
  });

  it('continues the calendar consistently after the restart', async () => {
    if (!existsSync(join(repoRoot, 'apps/cli/dist/main.js')))
      throw new Error('this test runs the built CLI: run `npx tsc -b` first (scripts/test-all.sh does)');
    fx = await tsaFixture();
    const config = join(fx.dir.path, 'tsa-test.json');
    writeFileSync(config, JSON.stringify({ roundMs: 100 }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      const child = spawn(
        process.execPath,
        [RIIK, 'serve', 'tsa', '--data', fx.dir.path, '--port', String(port), '--config', config],
        {
          stdio: 'ignore',
          env: { ...process.env, RIIK_LOG_LEVEL: 'silent' },
        },
      );
      children.push(child);
      await waitHealthy(url, child);
      return child;
    };
    const key = parseVerifierKey(fx.vkey);
    const client = new KsiClient(url, { timeoutMs: 10_000 });

    const child = await start();
    const received: KsiSignature[] = [];
    let running = true;
    let interrupted = 0;
    const load = async () => {
      while (running) {
        try {
          const subs = Array.from({ length: 300 }, () => ({
            hash: new Uint8Array(randomBytes(32)),
            level: 0,
          }));
          received.push(...(await client.signMany(subs)));
        } catch {
          interrupted++; // the service died under this request
          return;
        }
      }
    };
    const streams = [load(), load(), load()];
    await new Promise((r) => setTimeout(r, 1200));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    running = false;
    await Promise.all(streams);

    expect(interrupted).toBeGreaterThan(0); // killed mid-stream, not between requests
    expect(received.length).toBeGreaterThan(0);
    let lastBefore: Checkpoint | undefined;
    for (const sig of received) {
      expect(verifyKsiSignature(sig, { documentHash: sig.hash, checkpointKey: key }).valid).toBe(true);
      const cp = signatureCheckpoint(sig);
      if (!lastBefore || cp.treeSize > lastBefore.treeSize) lastBefore = cp;
    }

    const restarted = await start();
    const after = await client.sign(new Uint8Array(randomBytes(32)));
    const firstAfter = openCheckpoint(after.checkpoint, key).checkpoint;
    expect(firstAfter.treeSize).toBeGreaterThan(lastBefore!.treeSize);
    const proof = await client.consistencyProof(lastBefore!.treeSize, firstAfter.treeSize);
    verifyConsistency(
      lastBefore!.treeSize,
      firstAfter.treeSize,
      proof,
      lastBefore!.rootHash,
      firstAfter.rootHash,
    );

    // Every round proven before the crash is in the calendar after it.
    const byEntry = new Map(received.map((s) => [s.calendarIndex, s]));
    for (const [index, sig] of byEntry) {
      const path = await client.inclusionProof(index, firstAfter.treeSize);
      verifyInclusion(
        index,
        firstAfter.treeSize,
        calendarLeafHash(sig.roundTime, sig.roundRoot),
        path,
        firstAfter.rootHash,
      );
    }
    restarted.kill('SIGTERM');
    await new Promise((r) => restarted.once('exit', r));
  });
});
