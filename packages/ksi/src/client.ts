import { fromBase64, MerkleTree, aggregationLeafData, toBase64 } from '@riik/core';
import { KsiError } from './errors.js';
import { extendSignature, publicationFor } from './extend.js';
import { encodeSubmissions, FrameReader, signatureFromFrame, type Submission } from './frames.js';
import { decodePublication, parsePublications, type Publication } from './publication.js';
import { parseSignature, signatureCheckpoint, type KsiSignature } from './signature.js';
import { treeHeight } from './verify.js';

export interface KsiClientOptions {
  /** Per-request timeout (default 30 s; a submission waits for its round to close). */
  timeoutMs?: number;
}

/**
 * A client of the riik aggregator and calendar (services/tsa): sign hashes, fetch checkpoints,
 * publications and proofs, extend signatures. `baseUrl` is the service root
 * (e.g. http://127.0.0.1:8702); the KSI API lives under /ksi/v1.
 */
export class KsiClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: KsiClientOptions = {}) {
    this.base = `${baseUrl.replace(/\/$/, '')}/ksi/v1`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new KsiError('TRANSPORT', `aggregator ${this.base} unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      let detail = body.slice(0, 300);
      try {
        detail = (JSON.parse(body) as { detail?: string }).detail ?? detail;
      } catch {
        /* not problem+json */
      }
      throw new KsiError(
        response.status >= 500 ? 'TRANSPORT' : 'REJECTED',
        `${path}: HTTP ${response.status} ${detail}`,
      );
    }
    return response;
  }

  /** Sign one hash (a document digest at level 0); resolves when its round has closed. */
  async sign(hash: Uint8Array, level = 0): Promise<KsiSignature> {
    const response = await this.call('/sign', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hash: toBase64(hash), level }),
    });
    const body = (await response.json()) as { signature?: string };
    if (typeof body.signature !== 'string') throw new KsiError('TRANSPORT', 'no signature in the answer');
    return parseSignature(body.signature);
  }

  /**
   * Sign many hashes through the binary batch endpoint: one signature per submission, in order.
   * The service proves each hash in its round tree.
   */
  async signMany(submissions: readonly Submission[]): Promise<KsiSignature[]> {
    const response = await this.call('/aggregate', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: encodeSubmissions(submissions),
    });
    const reader = new FrameReader();
    const out = new Array<KsiSignature | undefined>(submissions.length);
    const body = response.body;
    if (!body) throw new KsiError('TRANSPORT', 'empty answer');
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      for (const frame of reader.push(chunk)) {
        if (frame.type === 'end') {
          if (frame.error) throw new KsiError('REJECTED', `aggregator: ${frame.error}`);
          continue;
        }
        for (const proof of frame.proofs) {
          const submission = submissions[proof.record];
          if (!submission) throw new KsiError('MALFORMED_FRAME', `proof for unknown record ${proof.record}`);
          out[proof.record] = signatureFromFrame(submission, frame, proof);
        }
      }
    }
    if (!reader.complete) throw new KsiError('TRANSPORT', 'the answer was cut short');
    const missing = out.findIndex((s) => s === undefined);
    if (missing >= 0) throw new KsiError('TRANSPORT', `no proof for record ${missing}`);
    return out as KsiSignature[];
  }

  /**
   * Sign many document digests the KSI way: aggregate them locally into one tree, submit its
   * root at the tree's level, and give each document its own path plus the service's. One
   * submission, however many documents.
   */
  async signAggregated(hashes: readonly Uint8Array[]): Promise<KsiSignature[]> {
    if (hashes.length === 0) return [];
    const tree = MerkleTree.fromLeaves(hashes.map((h) => aggregationLeafData(h, 0)));
    const level = treeHeight(tree.size);
    const [top] = await this.signMany([{ hash: tree.root(), level }]);
    return hashes.map((hash, i) => ({
      ...top!,
      hash,
      aggregation: [
        { level: 0, index: i, size: tree.size, path: tree.inclusionProof(i) },
        ...top!.aggregation,
      ],
    }));
  }

  /** The latest signed checkpoint (note text). */
  async checkpoint(): Promise<string> {
    return (await this.call('/checkpoint')).text();
  }

  /** The publications file (signed note text) and its publications. */
  async publications(): Promise<{ text: string; publications: Publication[] }> {
    const text = await (await this.call('/publications')).text();
    return { text, publications: parsePublications(text).publications };
  }

  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    const r = await this.call(`/proof/consistency?from=${from}&to=${to}`);
    return ((await r.json()) as { proof: string[] }).proof.map((h) => fromBase64(h));
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    const r = await this.call(`/proof/inclusion?index=${index}&size=${size}`);
    return ((await r.json()) as { proof: string[] }).proof.map((h) => fromBase64(h));
  }

  /**
   * Extend a signature to a publication: `code` when given, else the earliest publication that
   * covers it. NO_PUBLICATION when there is none yet.
   */
  async extend(sig: KsiSignature, code?: string): Promise<KsiSignature> {
    let publication: Publication | undefined;
    if (code) publication = decodePublication(code);
    else publication = publicationFor(sig, (await this.publications()).publications);
    if (!publication)
      throw new KsiError('NO_PUBLICATION', 'no publication covers this signature yet; try again later');
    const from = signatureCheckpoint(sig).treeSize;
    const proof = from === publication.size ? [] : await this.consistencyProof(from, publication.size);
    return extendSignature(sig, publication, proof);
  }
}
