import { createHash, randomBytes } from 'node:crypto';
import { statSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { Ed25519NoteSigner, MerkleTreeBuilder, HASH_SIZE } from '@riik/core';
import { createLogger } from '@riik/http';
import { encodeSubmissions, encodeTreeRoundFrame, FrameReader } from '@riik/ksi';
import { Aggregator, Calendar, CalendarStore, type Round } from '@riik/service-tsa';
import { tempDir } from '@riik/testing';
import { fmt, pct, report } from './report.js';
import { prepareData, startService } from './service.js';

const N = 1 << 20;

/** The plain way to build an RFC 6962 tree in Node: createHash per leaf and per node. */
function plainTree(hashes: Uint8Array[]): Buffer {
  let level: Buffer[] = hashes.map((h) =>
    createHash('sha256').update(Uint8Array.of(0, 0)).update(h).digest(),
  );
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(
        createHash('sha256')
          .update(Uint8Array.of(1))
          .update(level[i]!)
          .update(level[i + 1]!)
          .digest(),
      );
    if (level.length % 2) next.push(level.at(-1)!);
    level = next;
  }
  return level[0]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

/**
 * Aggregation: hashes accepted and proven per second, in-process against a plain tree-building
 * loop (goal ≥ 70 %), and over HTTP with batches (goal ≥ 50,000/s with submit-to-proof latency
 * p50 < round + 100 ms, p99 < 2 × round); and the calendar's storage per round and per hash.
 */
export async function benchKsi(): Promise<void> {
  const hashes = Array.from({ length: N }, () => new Uint8Array(randomBytes(HASH_SIZE)));

  // In-process, round by round (100,000 hashes, like 1 s rounds at 100k/s), three ways on the
  // same hashes, alternating so that all three see the same load on the shared machine:
  //   - the plain loop (the anchor), - core's optimised MerkleTreeBuilder,
  //   - the aggregator: add every hash, close the round (calendar append committed with
  //     synchronous=FULL, checkpoint signed), prove every hash and encode the proofs as the
  //     binary endpoint sends them (one frame per 500 hashes, like HTTP batches of 500).
  const dir = tempDir('riik-bench-agg-');
  const store = await CalendarStore.open(`${dir.path}/agg.db`);
  const calendar = await Calendar.open(
    store,
    new Ed25519NoteSigner('bench/calendar', new Uint8Array(randomBytes(32))),
    'bench/calendar',
  );
  const roundSize = 100_000;
  const aggregator = new Aggregator(calendar, {
    maxRoundSize: roundSize,
    log: createLogger('bench', 'silent'),
  });
  const leaf = new Uint8Array(1 + HASH_SIZE);
  plainTree(hashes.slice(0, 20_000)); // warm-up
  let plainMs = 0;
  let builderMs = 0;
  let aggregated = 0;
  let frameBytes = 0;
  for (let start = 0; start < N; start += roundSize) {
    const slice = hashes.slice(start, start + roundSize);
    plainMs += time(() => plainTree(slice)).ms;
    builderMs += time(() => {
      const b = new MerkleTreeBuilder(roundSize);
      for (const h of slice) {
        leaf.set(h, 1);
        b.appendLeaf(leaf);
      }
      return b.build().root();
    }).ms;
    const started = performance.now();
    let round: Round | undefined;
    for (const h of slice) {
      leaf.set(h, 1);
      round = aggregator.add(leaf).round;
    }
    if (aggregator.pending > 0) void aggregator.closeRound();
    if (!round) throw new Error('empty round');
    const closed = await round.closed;
    for (let k = 0; k < closed.header.roundSize; k += 500) {
      const count = Math.min(closed.header.roundSize, k + 500) - k;
      frameBytes += encodeTreeRoundFrame(closed.header, closed.tree, [{ record: 0, leaf: k, count }]).length;
    }
    aggregated += performance.now() - started;
  }
  await store.close();
  dir.remove();
  const plain = { ms: plainMs };
  const builder = { ms: builderMs };

  // Over HTTP: riik serve tsa (1 s rounds) in its own process; autocannon sends batches at a
  // steady overall rate, as many independent clients would, and measures submit-to-proof time.
  const data = prepareData();
  const roundMs = 1000;
  const service = await startService(data.path, { roundMs });
  const batch = 500;
  const body = Buffer.from(encodeSubmissions(hashes.slice(0, batch).map((hash) => ({ hash, level: 0 }))));
  const check = await fetch(`${service.url}/ksi/v1/aggregate`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  const frames = new FrameReader().push(new Uint8Array(await check.arrayBuffer()));
  if (frames.flatMap((f) => (f.type === 'round' ? f.proofs : [])).length !== batch)
    throw new Error('not every hash was proven');
  const health = async () =>
    ((await (await fetch(`${service.url}/healthz`)).json()) as { calendarSize: number }).calendarSize;
  const sizeBefore = await health();
  const targetRate = 140; // requests/s × 500 hashes = 70,000 hashes/s offered
  const result = await autocannon({
    url: `${service.url}/ksi/v1/aggregate`,
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
    connections: 250,
    overallRate: targetRate,
    duration: 20,
    timeout: 30,
  });
  const rounds = (await health()) - sizeBefore;
  await service.stop();
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`KSI bench: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const httpHashes = result.requests.average * batch;
  const totalHashes = result.requests.total * batch;

  data.remove();

  // Storage: the calendar store's growth per round, measured over 3,000 appended rounds (the
  // store closed before each measurement, so SQLite has folded the WAL into the database file).
  const storeDir = tempDir('riik-bench-store-');
  const file = `${storeDir.path}/calendar.db`;
  const signer = new Ed25519NoteSigner('bench/calendar', new Uint8Array(randomBytes(32)));
  const grow = async (rounds: number) => {
    const s = await CalendarStore.open(file);
    const c = await Calendar.open(s, signer, 'bench/calendar');
    for (let i = 0; i < rounds; i++)
      await c.append(c.nextTime(Date.now()), new Uint8Array(randomBytes(32)), 70_000);
    await s.close();
    return statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  };
  const base = await grow(500);
  const storeRounds = 3000;
  const grown = await grow(storeRounds);
  storeDir.remove();
  const bytesPerRound = (grown - base) / storeRounds;
  const hashesPerRound = totalHashes / Math.max(1, rounds);

  const inProcessRate = (N / aggregated) * 1000;
  const plainRate = (N / plain.ms) * 1000;
  const builderRate = (N / builder.ms) * 1000;
  await report(
    'ksi',
    'KSI-style aggregation and calendar',
    'npm run bench (bench/src/ksi.ts)',
    [
      {
        metric: `plain tree-building loop (createHash per leaf and node, ${fmt(N)} leaves), leaves/s`,
        value: fmt(plainRate),
        goal: 'anchor',
      },
      {
        metric: 'core MerkleTreeBuilder, leaves/s',
        value: fmt(builderRate),
        anchor: fmt(plainRate),
        ratio: pct(builderRate / plainRate),
      },
      {
        metric: 'aggregator in-process: accepted, rounds stored, every hash proven and encoded, hashes/s',
        value: fmt(inProcessRate),
        anchor: fmt(plainRate),
        ratio: pct(inProcessRate / plainRate),
        goal: '≥ 70 %',
      },
      {
        metric: 'aggregator in-process against the optimised builder alone',
        value: fmt(inProcessRate),
        anchor: fmt(builderRate),
        ratio: pct(inProcessRate / builderRate),
      },
      {
        metric: `over HTTP, batches of ${batch}, ${fmt(targetRate * batch)} hashes/s offered, 1 s rounds, hashes/s sustained`,
        value: fmt(httpHashes),
        anchor: '50,000',
        ratio: pct(httpHashes / 50_000),
        goal: '≥ 50,000/s',
      },
      {
        metric: 'submit-to-proof latency p50 / p97.5 / p99',
        value: `${result.latency.p50} / ${result.latency.p97_5} / ${result.latency.p99} ms`,
        anchor: `round ${roundMs} ms`,
        goal: 'p50 < 1100 ms, p99 < 2000 ms',
      },
      {
        metric: `calendar store, bytes per round (SQLite, growth over ${fmt(storeRounds)} rounds)`,
        value: fmt(bytesPerRound, 1),
        anchor: '32 B round root',
        goal: '≈ 32 B + per-round overhead',
      },
      {
        metric: `calendar store, bytes per aggregated hash (${fmt(hashesPerRound)} hashes per round, as in the HTTP run)`,
        value: fmt(bytesPerRound / hashesPerRound, 4),
      },
    ],
    [
      `In-process: ${fmt(N)} hashes in rounds of ${fmt(roundSize)}; per round the plain loop, the builder and the aggregator run one after another on the same hashes. The aggregator's time covers adding, closing the round (tree, calendar append committed with synchronous=FULL, checkpoint signed) and writing all ${fmt(N)} inclusion proofs into binary frames (${fmt(frameBytes / 2 ** 20, 1)} MiB).`,
      `HTTP: ${fmt(totalHashes)} hashes in ${fmt(result.requests.total)} requests over ${result.duration} s, ${rounds} rounds; the service and autocannon each on one core.`,
      'Storage per round: the entry (8 B time + 32 B root + 8 B round size, with its integer key) and on average one 32 B perfect node above level 0, each an SQLite row; aggregated leaves are not stored.',
      'Anchors from the field: Trillian Tessera ~3,000–10,000 entries/s with 1–7 s integration latency; KSI 1–2 s per signature.',
    ],
    {
      plainRate,
      builderRate,
      inProcessRate,
      http: { hashesPerSecond: httpHashes, latency: result.latency, requests: result.requests, rounds },
      storage: { bytesPerRound, hashesPerRound, storeRounds },
    },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchKsi();
