import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, repoRoot, runTool, storageBackends } from '@riik/testing';
import { createLogger } from '@riik/http';
import {
  leafHash,
  openCheckpoint,
  parseEntryBundle,
  parseVerifierKey,
  TileHashReader,
  tilePath,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type TileId,
} from '@riik/core';
import {
  calendarLeafHash,
  decodeCalendarEntry,
  encodeSubmissions,
  formatSignature,
  FrameReader,
  hashDocument,
  KsiClient,
  parsePublications,
  parseSignature,
  signatureCheckpoint,
  verifyKsiSignature,
  type Frame,
} from '@riik/ksi';
import { buildTimeStampReq, digestOf, parseTimeStampResp, verifyTimeStampToken } from '@riik/pki';
import { startTsaServer, tsaPaths, type RunningTsa } from '../src/index.js';
import { pgSchema, tsaFixture, type TsaFixture } from './helpers.js';

const log = createLogger('tsa', 'silent');

/** runTool with extra environment variables (the by-hand script takes VKEY / CODE). */
function runToolEnv(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ out: string; status: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ out, status: status ?? -1 }));
  });
}

describe.each(storageBackends())('time-stamping service on $name', ({ url: pgUrl }) => {
  let fx: TsaFixture;
  let tsa: RunningTsa;
  let client: KsiClient;
  const schema = pgSchema('tsa');
  const start = () =>
    startTsaServer({
      dataDir: fx.dir.path,
      port: 0,
      log,
      roundMs: 50,
      ...(pgUrl ? { databaseUrl: pgUrl, databaseSchema: schema } : {}),
    });

  beforeAll(async () => {
    fx = await tsaFixture();
    tsa = await start();
    client = new KsiClient(tsa.url);
  });
  afterAll(async () => {
    await tsa?.close();
    fx?.dir.remove();
  });

  describe('RFC 3161', () => {
    it('openssl ts -query → curl POST → openssl ts -verify: Verification: OK', async () => {
      const d = fx.dir.path;
      writeFileSync(`${d}/doc.txt`, 'riik time-stamps this\n');
      writeFileSync(`${d}/root.pem`, fx.root.toPem());
      writeFileSync(`${d}/ca.pem`, fx.ca.toPem());
      for (const hash of ['-sha256', '-sha384', '-sha512']) {
        await openssl(['ts', '-query', '-data', `${d}/doc.txt`, hash, '-cert', '-out', `${d}/q.tsq`]);
        const post = await runTool('curl', [
          '-sS',
          '--fail',
          '-H',
          'Content-Type: application/timestamp-query',
          '--data-binary',
          `@${d}/q.tsq`,
          '-o',
          `${d}/r.tsr`,
          `${tsa.url}/tsa`,
        ]);
        expect(post.status, post.out).toBe(0);
        const verify = await openssl([
          'ts',
          '-verify',
          '-queryfile',
          `${d}/q.tsq`,
          '-in',
          `${d}/r.tsr`,
          '-CAfile',
          `${d}/root.pem`,
          '-untrusted',
          `${d}/ca.pem`,
        ]);
        expect(verify.out).toContain('Verification: OK');
        const text = (await openssl(['ts', '-reply', '-in', `${d}/r.tsr`, '-text'])).out;
        expect(text).toContain('Status: Granted.');
        expect(text).toContain('TSA: DirName:/C=EE/O=riik test/CN=TEST riik TSA');
      }
      // The certificate chain is served for relying parties.
      const pem = await (await fetch(`${tsa.url}/tsa/certificate.pem`)).text();
      expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    });

    it('answers bad requests with a PKIStatus, never a crash', async () => {
      const post = async (body: Uint8Array, type = 'application/timestamp-query') => {
        const r = await fetch(`${tsa.url}/tsa`, { method: 'POST', body, headers: { 'content-type': type } });
        return { status: r.status, body: new Uint8Array(await r.arrayBuffer()) };
      };
      const garbage = await post(new Uint8Array(randomBytes(100)));
      expect(parseTimeStampResp(garbage.body).failInfo).toEqual(['badDataFormat']);
      const req = buildTimeStampReq({ hash: 'SHA-256', hashedMessage: new Uint8Array(32) }).der;
      expect(parseTimeStampResp((await post(req, 'text/plain')).body).failInfo).toEqual(['badRequest']);
      expect((await post(new Uint8Array(100_000))).status).toBe(413);
      expect((await fetch(`${tsa.url}/tsa`)).status).toBe(405);
      const good = await post(req);
      const token = parseTimeStampResp(good.body).tokenDer!;
      expect(
        (await verifyTimeStampToken(token, { hashedMessage: new Uint8Array(32), anchors: [fx.root] })).valid,
      ).toBe(true);
      const metrics = await (await fetch(`${tsa.url}/metrics`)).text();
      expect(metrics).toMatch(/riik_tsa_tokens_total\{status="granted"[^}]*\} \d+/);
    });
  });

  describe('KSI aggregation', () => {
    it('signs a document over JSON; the signature verifies offline with the calendar key', async () => {
      const doc = new TextEncoder().encode('the population register, 2026-01-15');
      const signature = await client.sign(hashDocument(doc));
      const result = verifyKsiSignature(signature, { document: doc, checkpointKey: fx.vkey });
      expect(result).toMatchObject({ valid: true, anchor: 'checkpoint' });
      expect(readFileSync(tsaPaths(fx.dir.path).vkey, 'utf8').trim()).toBe(fx.vkey);
      expect(await (await fetch(`${tsa.url}/ksi/v1/key`)).text()).toBe(fx.vkey + '\n');
      // A batch over JSON.
      const hashes = Array.from({ length: 20 }, (_, i) => hashDocument(new TextEncoder().encode(`doc ${i}`)));
      const r = await fetch(`${tsa.url}/ksi/v1/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hashes: hashes.map((h) => ({ hash: Buffer.from(h).toString('base64') })) }),
      });
      const { signatures } = (await r.json()) as { signatures: string[] };
      signatures.forEach((s, i) =>
        expect(verifyKsiSignature(s, { documentHash: hashes[i]!, checkpointKey: fx.vkey }).valid).toBe(true),
      );
    });

    it('signs batches over the binary endpoint: every hash proven', async () => {
      const subs = Array.from({ length: 3000 }, (_, i) => ({
        hash: new Uint8Array(randomBytes(i % 3 === 0 ? 64 : 32)),
        level: i % 5 === 0 ? 3 : 0,
      }));
      const signatures = await client.signMany(subs);
      expect(signatures).toHaveLength(3000);
      const key = parseVerifierKey(fx.vkey);
      signatures.forEach((sig, i) => {
        expect(sig.hash).toEqual(subs[i]!.hash);
        const v = verifyKsiSignature(sig, {
          checkpointKey: key,
          ...(subs[i]!.level === 0 ? { documentHash: subs[i]!.hash } : {}),
        });
        expect(v.code).toBe('OK');
      });
      // Client-side aggregation: one submission for many documents.
      const docs = Array.from({ length: 100 }, (_, i) => hashDocument(new TextEncoder().encode(`agg ${i}`)));
      const aggregated = await client.signAggregated(docs);
      aggregated.forEach((sig, i) => {
        expect(sig.aggregation).toHaveLength(2);
        expect(
          verifyKsiSignature(formatSignature(sig), { documentHash: docs[i]!, checkpointKey: key }).valid,
        ).toBe(true);
      });
    });

    it('streams: records sent across rounds get one frame per round, then an end frame', async () => {
      const subs = Array.from({ length: 40 }, () => ({ hash: new Uint8Array(randomBytes(32)), level: 0 }));
      const body = encodeSubmissions(subs);
      const frames = await new Promise<Frame[]>((resolve, reject) => {
        const req = request(`${tsa.url}/ksi/v1/aggregate`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
        });
        req.on('response', (res) => {
          const reader = new FrameReader();
          const got: Frame[] = [];
          res.on('data', (chunk: Buffer) => got.push(...reader.push(chunk)));
          res.on('end', () => resolve(got));
        });
        req.on('error', reject);
        // Half now, the rest (split mid-record) after a few rounds have passed.
        req.write(body.subarray(0, 20 * 34 + 5));
        setTimeout(() => req.end(body.subarray(20 * 34 + 5)), 300);
      });
      const rounds = frames.filter((f) => f.type === 'round');
      expect(rounds.length).toBeGreaterThanOrEqual(2);
      expect(frames.at(-1)).toEqual({ type: 'end', accepted: 40 });
      const proven = rounds.flatMap((f) => (f.type === 'round' ? f.proofs.map((p) => p.record) : []));
      expect(proven.sort((a, b) => a - b)).toEqual(subs.map((_, i) => i));
    });

    it('rejects hostile submissions without losing the good ones', async () => {
      const post = (body: unknown) =>
        fetch(`${tsa.url}/ksi/v1/sign`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      for (const bad of [
        { hash: 'not base64!' },
        { hash: Buffer.alloc(129).toString('base64') },
        { hash: '' },
        { hash: Buffer.alloc(32).toString('base64'), level: 256 },
        { hash: Buffer.alloc(32).toString('base64'), level: -1 },
        { hashes: [] },
        { hashes: Array.from({ length: 1001 }, () => ({ hash: Buffer.alloc(32).toString('base64') })) },
        { hash: Buffer.alloc(32).toString('base64'), extra: 1 },
        [1, 2, 3],
      ]) {
        const r = await post(bad);
        expect(r.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      }
      // A binary stream with a bad record: earlier records are proven, the end frame says why.
      const good = encodeSubmissions([{ hash: new Uint8Array(32).fill(1), level: 0 }]);
      const body = Buffer.concat([good, Uint8Array.from([0, 0]), good]);
      const r = await fetch(`${tsa.url}/ksi/v1/aggregate`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
      });
      const frames = new FrameReader().push(new Uint8Array(await r.arrayBuffer()));
      expect(
        frames.filter((f) => f.type === 'round').flatMap((f) => (f.type === 'round' ? f.proofs : [])),
      ).toHaveLength(1);
      expect(frames.at(-1)).toMatchObject({
        type: 'end',
        accepted: 1,
        error: expect.stringContaining('hash length 0'),
      });
      const wrongType = await fetch(`${tsa.url}/ksi/v1/aggregate`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: good,
      });
      expect(wrongType.status).toBe(415);
    });
  });

  describe('calendar audit API and publications', () => {
    it('serves checkpoints, inclusion and consistency proofs, and tlog-tiles a client can rebuild from', async () => {
      await client.sign(hashDocument(new TextEncoder().encode('one more')));
      const { checkpoint } = openCheckpoint(await client.checkpoint(), parseVerifierKey(fx.vkey));
      const size = checkpoint.treeSize;
      expect(size).toBeGreaterThanOrEqual(4);
      // Every entry's inclusion proof, against the checkpoint root.
      for (let i = 0; i < size; i++) {
        const r = (await (
          await fetch(`${tsa.url}/ksi/v1/proof/inclusion?index=${i}&size=${size}`)
        ).json()) as { entry: string; proof: string[] };
        const entry = decodeCalendarEntry(Buffer.from(r.entry, 'base64'));
        verifyInclusion(
          i,
          size,
          calendarLeafHash(entry.timeMs, entry.roundRoot),
          r.proof.map((h) => Buffer.from(h, 'base64')),
          checkpoint.rootHash,
        );
      }
      // Consistency from every earlier size.
      for (let m = 1; m <= size; m++) {
        const proof = await client.consistencyProof(m, size);
        const oldRoot = await treeRoot(tsa.service.store, m);
        verifyConsistency(m, size, proof, oldRoot, checkpoint.rootHash);
      }
      // A witness with only the tiles computes the same root.
      const fetchTile = async (tile: TileId) =>
        new Uint8Array(await (await fetch(`${tsa.url}/ksi/v1/${tilePath(tile)}`)).arrayBuffer());
      expect(await treeRoot(new TileHashReader(size, fetchTile), size)).toEqual(checkpoint.rootHash);
      const bundle = await fetch(`${tsa.url}/ksi/v1/tile/entries/000.p/${size}`);
      const entries = parseEntryBundle(new Uint8Array(await bundle.arrayBuffer()), size);
      expect(entries).toHaveLength(size);
      expect(leafHash(entries[0]!)).toEqual(
        (await tsa.service.store.readNodeHashes([{ level: 0, index: 0 }]))[0],
      );
      // Absent tiles and bad queries.
      expect((await fetch(`${tsa.url}/ksi/v1/tile/0/000.p/${size + 1}`)).status).toBe(404);
      expect((await fetch(`${tsa.url}/ksi/v1/tile/0/001`)).status).toBe(404);
      expect((await fetch(`${tsa.url}/ksi/v1/tile/0/0000`)).status).toBe(404);
      expect((await fetch(`${tsa.url}/ksi/v1/proof/consistency?from=0&to=1`)).status).toBe(400);
      expect((await fetch(`${tsa.url}/ksi/v1/proof/inclusion?index=${size}`)).status).toBe(404);
      expect((await fetch(`${tsa.url}/ksi/v1/proof/inclusion?index=x`)).status).toBe(400);
    });

    it('publishes, and an extended signature verifies from the publication code alone', async () => {
      const doc = new TextEncoder().encode('extend me');
      const signature = await client.sign(hashDocument(doc));
      await expect(client.extend(signature)).rejects.toMatchObject({ code: 'NO_PUBLICATION' });
      // A later round, so the publication's calendar is larger than this signature's checkpoint.
      const later = new TextEncoder().encode('a later document');
      const laterSignature = await client.sign(hashDocument(later));
      const token = readFileSync(tsaPaths(fx.dir.path).operatorToken, 'utf8').trim();
      const publish = () =>
        fetch(`${tsa.url}/ksi/v1/publications`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await fetch(`${tsa.url}/ksi/v1/publications`, { method: 'POST' })).status).toBe(401);
      const made = await publish();
      expect(made.status).toBe(201);
      const { code } = (await made.json()) as { code: string };
      expect((await publish()).status).toBe(409); // nothing new since
      const file = await client.publications();
      expect(parsePublications(file.text, parseVerifierKey(fx.vkey)).publications).toHaveLength(1);
      const extended = await client.extend(signature);
      expect(extended.publication?.code).toBe(code);
      const text = formatSignature(extended);
      expect(verifyKsiSignature(text, { document: doc, publication: code })).toMatchObject({
        valid: true,
        anchor: 'publication',
      });
      expect(verifyKsiSignature(text, { document: doc, checkpointKey: fx.vkey }).valid).toBe(true);
      expect(verifyKsiSignature(text, { document: new Uint8Array([1]), publication: code }).code).toBe(
        'DOCUMENT_HASH_MISMATCH',
      );
      // docs/verify-ksi-signature.sh checks the same by hand (bash, coreutils, openssl).
      const d = fx.dir.path;
      writeFileSync(`${d}/doc.bin`, doc);
      writeFileSync(`${d}/doc.rsig`, text);
      const script = join(repoRoot, 'docs', 'verify-ksi-signature.sh');
      const byHand = await runToolEnv('bash', [script, `${d}/doc.bin`, `${d}/doc.rsig`], {
        VKEY: fx.vkey,
        CODE: code,
      });
      expect(byHand.out).toContain('OK   5b.');
      expect(byHand.out).toContain('OK   4a.');
      expect(byHand.status).toBe(0);
      // A batch signature (a longer aggregation path) verifies by hand too; tampering fails.
      const [batch] = await client.signMany([
        { hash: hashDocument(doc), level: 0 },
        ...Array.from({ length: 9 }, () => ({ hash: new Uint8Array(randomBytes(32)), level: 0 })),
      ]);
      writeFileSync(`${d}/batch.rsig`, formatSignature(batch!));
      expect(
        (await runToolEnv('bash', [script, `${d}/doc.bin`, `${d}/batch.rsig`], { VKEY: fx.vkey })).status,
      ).toBe(0);
      const tampered = formatSignature(batch!).replace(
        /^(aggregation .*\n)(.)/m,
        (_, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'),
      );
      writeFileSync(`${d}/tampered.rsig`, tampered);
      const bad = await runToolEnv('bash', [script, `${d}/doc.bin`, `${d}/tampered.rsig`], { VKEY: fx.vkey });
      expect(bad.status).not.toBe(0);
      expect(bad.out).toContain('FAIL 2.');
      // The publication made right after the later signature: same size, an empty consistency proof.
      writeFileSync(`${d}/later.bin`, later);
      writeFileSync(`${d}/later.rsig`, formatSignature(await client.extend(laterSignature)));
      const same = await runToolEnv('bash', [script, `${d}/later.bin`, `${d}/later.rsig`], { CODE: code });
      expect(same.out).toContain('OK   5b. the calendar at size');
      expect(same.status).toBe(0);
    });

    it('continues the calendar consistently after a restart', async () => {
      const before = await client.sign(hashDocument(new TextEncoder().encode('before restart')));
      const old = signatureCheckpoint(before);
      await tsa.close();
      tsa = await start();
      client = new KsiClient(tsa.url);
      expect(tsa.service.calendar.size).toBe(old.treeSize);
      const after = await client.sign(hashDocument(new TextEncoder().encode('after restart')));
      const now = signatureCheckpoint(after);
      expect(now.treeSize).toBe(old.treeSize + 1);
      verifyConsistency(
        old.treeSize,
        now.treeSize,
        await client.consistencyProof(old.treeSize, now.treeSize),
        old.rootHash,
        now.rootHash,
      );
      // The old signature still verifies, and extends to a later publication.
      expect(
        verifyKsiSignature(parseSignature(formatSignature(before)), { checkpointKey: fx.vkey }).valid,
      ).toBe(true);
      expect(digestOf('SHA-256', new Uint8Array())).toHaveLength(32);
    });
  });
});
