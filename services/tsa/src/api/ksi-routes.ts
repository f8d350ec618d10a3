import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  aggregationLeafData,
  encodeEntryBundle,
  MAX_AGGREGATION_LEVEL,
  MAX_SUBMITTED_HASH,
  MerkleError,
  parseTilePath,
  readTile,
  tileWidth,
  toBase64,
  TILE_WIDTH,
  type TilePath,
} from '@riik/core';
import { HttpProblem, readJson, requireBearer, sendBytes, sendJson, sendText, type Route } from '@riik/http';
import {
  encodeCalendarEntry,
  encodeEndFrame,
  encodePublication,
  encodeTreeRoundFrame,
  formatSignature,
  KsiError,
  signatureFromFrame,
  SubmissionReader,
  type RecordRun,
} from '@riik/ksi';
import type { Counter } from 'prom-client';
import type { Round } from '../aggregator.js';
import { TsaError } from '../errors.js';
import type { TsaService } from '../service.js';

/** JSON submissions per request; bigger batches belong on the binary endpoint. */
export const MAX_JSON_HASHES = 1000;
/** Records per binary request (a long-lived stream should reconnect now and then). */
export const MAX_STREAM_RECORDS = 10_000_000;

const submission = z
  .object({
    hash: z.string().min(1).max(200),
    level: z.number().int().min(0).max(MAX_AGGREGATION_LEVEL).default(0),
  })
  .strict();
const signSchema = z.union([
  submission,
  z.object({ hashes: z.array(submission).min(1).max(MAX_JSON_HASHES) }).strict(),
]);

function decodeHash(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text || bytes.length === 0 || bytes.length > MAX_SUBMITTED_HASH)
    throw new HttpProblem(400, 'BAD_HASH', `hash must be canonical base64 of 1-${MAX_SUBMITTED_HASH} bytes`);
  return new Uint8Array(bytes);
}

const roundFailed = (err: unknown) =>
  new HttpProblem(503, 'ROUND_FAILED', 'the aggregation round could not be stored; submit again', {
    cause: err,
  });

function intParam(url: URL, name: string, fallback?: number): number {
  const text = url.searchParams.get(name);
  if (text === null && fallback !== undefined) return fallback;
  if (text === null || !/^(0|[1-9]\d{0,15})$/.test(text))
    throw new HttpProblem(400, 'BAD_QUERY', `${name} must be a non-negative integer`);
  return Number(text);
}

export interface KsiMetrics {
  hashes: Counter<'endpoint'>;
}

export function ksiRoutes(service: TsaService, metrics: KsiMetrics): Route[] {
  const { aggregator, calendar, publisher } = service;
  const base = '/ksi/v1';
  return [
    // --- submissions -----------------------------------------------------------------------
    {
      method: 'POST',
      path: `${base}/sign`,
      name: 'ksi-sign',
      handler: async ({ req, res }) => {
        const body = await readJson(req, 256 * 1024, (v) => signSchema.parse(v));
        const items = 'hashes' in body ? body.hashes : [body];
        const decoded = items.map((s) => ({ hash: decodeHash(s.hash), level: s.level }));
        const placed = decoded.map((s) => ({ ...s, ...add(aggregationLeafData(s.hash, s.level)) }));
        metrics.hashes.inc({ endpoint: 'sign' }, placed.length);
        const signatures: string[] = [];
        for (const p of placed) {
          const closed = await p.round.closed.catch((err: unknown) => {
            throw roundFailed(err);
          });
          const path = closed.tree.inclusionProof(p.index);
          signatures.push(
            formatSignature(signatureFromFrame(p, closed.header, { record: 0, leafIndex: p.index, path })),
          );
        }
        sendJson(res, 200, 'hashes' in body ? { signatures } : { signature: signatures[0] });
      },
    },
    {
      method: 'POST',
      path: `${base}/aggregate`,
      name: 'ksi-aggregate',
      handler: ({ req, res }) => aggregateStream(req, res),
    },
    // --- the calendar log: checkpoint, tiles, proofs (c2sp.org/tlog-tiles layout) -------------
    {
      method: 'GET',
      path: `${base}/checkpoint`,
      handler: ({ res }) => {
        res.setHeader('cache-control', 'no-cache');
        sendText(res, 200, calendar.checkpoint);
      },
    },
    {
      method: 'GET',
      path: `${base}/tile/*`,
      name: 'ksi-tile',
      handler: async ({ res, params }) => {
        let tile: TilePath;
        try {
          tile = parseTilePath(`tile/${params['*'] ?? ''}`);
        } catch {
          throw new HttpProblem(404, 'NOT_FOUND', 'not a tile path');
        }
        const size = calendar.size;
        const level = tile.kind === 'entries' ? 0 : tile.level;
        if (tile.width > tileWidth(level, tile.index, size))
          throw new HttpProblem(404, 'NOT_FOUND', 'the calendar has no such tile (yet)');
        let body: Uint8Array;
        if (tile.kind === 'entries') {
          const first = tile.index * TILE_WIDTH;
          const entries = await service.store.entries(first, first + tile.width);
          body = encodeEntryBundle(entries.map((e) => encodeCalendarEntry(e.timeMs, e.root)));
        } else body = await readTile(service.store, tile);
        // A full tile never changes; a partial one grows into a wider one.
        const cache = tile.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'no-cache';
        sendBytes(res, 200, 'application/octet-stream', body, { 'cache-control': cache });
      },
    },
    {
      method: 'GET',
      path: `${base}/proof/inclusion`,
      handler: async ({ res, url }) => {
        const size = intParam(url, 'size', calendar.size);
        const index = intParam(url, 'index');
        if (size > calendar.size || index >= size)
          throw new HttpProblem(
            404,
            'NOT_FOUND',
            `no entry ${index} in a calendar of ${size} (now ${calendar.size})`,
          );
        const entry = (await service.store.entry(index))!;
        const proof = await calendar.inclusionProof(index, size);
        sendJson(res, 200, {
          index,
          size,
          entry: toBase64(encodeCalendarEntry(entry.timeMs, entry.root)),
          proof: proof.map(toBase64),
        });
      },
    },
    {
      method: 'GET',
      path: `${base}/proof/consistency`,
      handler: async ({ res, url }) => {
        const to = intParam(url, 'to', calendar.size);
        const from = intParam(url, 'from');
        if (from === 0 || from > to || to > calendar.size)
          throw new HttpProblem(400, 'BAD_QUERY', `need 0 < from ≤ to ≤ ${calendar.size}`);
        const proof = from === to ? [] : await calendar.consistencyProof(from, to);
        sendJson(res, 200, { from, to, proof: proof.map(toBase64) });
      },
    },
    {
      method: 'GET',
      path: `${base}/key`,
      handler: ({ res }) => sendText(res, 200, service.identity.calendarSigner.vkey + '\n'),
    },
    // --- publications ----------------------------------------------------------------------
    {
      method: 'GET',
      path: `${base}/publications`,
      handler: ({ res }) => {
        res.setHeader('cache-control', 'no-cache');
        sendText(res, 200, publisher.text);
      },
    },
    {
      method: 'POST',
      path: `${base}/publications`,
      handler: async ({ req, res }) => {
        requireBearer(req, service.identity.operatorToken);
        const publication = await publisher.publish();
        if (!publication)
          throw new HttpProblem(
            409,
            'NOTHING_TO_PUBLISH',
            'the calendar has not grown since the last publication',
          );
        sendJson(res, 201, {
          code: encodePublication(publication),
          size: publication.size,
          time: publication.time,
        });
      },
    },
  ];

  function add(leafData: Uint8Array): { round: Round; index: number } {
    try {
      return aggregator.add(leafData);
    } catch (err) {
      if (err instanceof TsaError) throw new HttpProblem(503, err.code, err.message, { cause: err });
      if (err instanceof MerkleError) throw new HttpProblem(503, 'ROUND_FULL', err.message, { cause: err });
      throw err;
    }
  }

  /**
   * The binary batch/streaming endpoint: records are aggregated as they arrive; each round the
   * request has records in is answered with one frame as soon as it is stored, and an end frame
   * closes the response (see @riik/ksi frames.ts).
   */
  async function aggregateStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/octet-stream' && type !== 'application/vnd.riik.ksi-submissions')
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send records as application/octet-stream');
    res.writeHead(200, { 'content-type': 'application/vnd.riik.ksi-proofs', 'cache-control': 'no-store' });
    const reader = new SubmissionReader();
    /** Runs of consecutive records that got consecutive leaves of one round. */
    const runs = new Map<Round, RecordRun[]>();
    const rounds: Round[] = [];
    let records = 0;
    let error: string | undefined;
    let bodyDone = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const onRecord = (leaf: Uint8Array) => {
      if (records >= MAX_STREAM_RECORDS)
        throw new KsiError('MALFORMED_FRAME', `more than ${MAX_STREAM_RECORDS} records`);
      const { round, index } = add(leaf);
      let list = runs.get(round);
      if (!list) {
        runs.set(round, (list = []));
        rounds.push(round);
      }
      const last = list.at(-1);
      if (last && last.leaf + last.count === index && last.record + last.count === records) last.count++;
      else list.push({ record: records, leaf: index, count: 1 });
      records++;
    };
    const stopReading = (why?: string) => {
      if (why && !error) error = why;
      bodyDone = true;
      notify();
    };
    req.on('data', (chunk: Buffer) => {
      if (bodyDone) return; // after an error the rest of the body is drained and ignored
      const before = records;
      try {
        reader.push(chunk, onRecord);
      } catch (err) {
        stopReading(
          err instanceof KsiError || err instanceof HttpProblem ? err.message : 'the submission failed',
        );
      }
      metrics.hashes.inc({ endpoint: 'aggregate' }, records - before);
      notify();
    });
    req.on('end', () => stopReading(reader.pending ? 'the request ends inside a record' : undefined));
    req.on('close', () => stopReading());
    req.on('error', () => stopReading('the request could not be read'));

    for (let k = 0; ;) {
      if (k < rounds.length) {
        const round = rounds[k++]!;
        let closed;
        try {
          closed = await round.closed;
        } catch {
          stopReading('an aggregation round could not be stored; submit those records again');
          break;
        }
        const frame = encodeTreeRoundFrame(closed.header, closed.tree, runs.get(round)!);
        runs.delete(round);
        if (res.destroyed) break;
        res.write(frame);
        continue;
      }
      if (bodyDone) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (!res.destroyed) res.end(encodeEndFrame(records, error));
    if (!req.complete) {
      req.removeAllListeners('data');
      res.on('finish', () => req.destroy());
    }
  }
}
