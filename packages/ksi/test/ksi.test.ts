import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aggregationLeafData,
  CompactRange,
  consistencyProof,
  Ed25519NoteSigner,
  formatCheckpoint,
  leafHash,
  MemoryNodeStore,
  MerkleTree,
  signNote,
  toBase64,
} from '@riik/core';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  calendarLeafHash,
  decodeCalendarEntry,
  decodePublication,
  encodeCalendarEntry,
  encodeEndFrame,
  encodePublication,
  encodeRoundFrame,
  encodeTreeRoundFrame,
  encodeSubmissions,
  extendSignature,
  formatPublications,
  formatSignature,
  FrameReader,
  hashDocument,
  KsiError,
  noteSignerOf,
  parsePublications,
  parseSignature,
  publicationFor,
  signatureFromFrame,
  signPublications,
  SubmissionReader,
  verifyKsiSignature,
  type KsiSignature,
  type Publication,
} from '../src/index.js';

/** An in-memory calendar like the service's: rounds appended as (time, root) entries. */
class TestCalendar {
  readonly store = new MemoryNodeStore();
  range = CompactRange.empty();
  readonly signer = new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(7));

  async append(timeMs: number, root: Uint8Array) {
    const path = this.range.hashes.reverse();
    const index = this.range.size;
    for (const n of this.range.append(calendarLeafHash(timeMs, root))) this.store.put(n);
    const checkpoint = await this.checkpoint();
    return { index, path, checkpoint };
  }

  checkpoint(): Promise<string> {
    return signNote(
      formatCheckpoint({
        origin: this.signer.name,
        treeSize: this.range.size,
        rootHash: this.range.root(),
        extensions: [],
      }),
      [this.signer],
    );
  }

  publication(timeS: number): Publication {
    return { time: timeS, size: this.range.size, root: this.range.root() };
  }
}

const document = new TextEncoder().encode('a document the state keeps\n');

/** A calendar with a few rounds, and the signature of `document` from round 2 of 5. */
async function fixture() {
  const calendar = new TestCalendar();
  let signature!: KsiSignature;
  for (let r = 0; r < 5; r++) {
    const hashes = Array.from({ length: 3 + r * 7 }, (_, i) =>
      hashDocument(new TextEncoder().encode(`r${r} d${i}`)),
    );
    if (r === 2) hashes[5] = hashDocument(document);
    const tree = MerkleTree.fromLeaves(hashes.map((h) => aggregationLeafData(h, 0)));
    const time = Date.UTC(2026, 0, 15, 10, 0, r);
    const { index, path, checkpoint } = await calendar.append(time, tree.root());
    if (r === 2) {
      signature = signatureFromFrame(
        { hash: hashes[5]!, level: 0 },
        {
          calendarIndex: index,
          roundTime: time,
          roundSize: tree.size,
          roundRoot: tree.root(),
          calendarPath: path,
          checkpoint,
        },
        { record: 0, leafIndex: 5, path: tree.inclusionProof(5) },
      );
    }
  }
  return { calendar, signature, vkey: calendar.signer.verifier().vkey };
}

describe('riik signatures', () => {
  it('round-trips through the text format and verifies with the checkpoint key', async () => {
    const { signature, vkey } = await fixture();
    const text = formatSignature(signature);
    expect(text.startsWith('riik/ksi-signature@v1\nhash ')).toBe(true);
    expect(text).toContain('\n\nc2sp.org/tlog-proof@v1\nindex 2\n');
    const parsed = parseSignature(text);
    expect(formatSignature(parsed)).toBe(text);
    const result = verifyKsiSignature(text, { document, checkpointKey: vkey });
    expect(result).toMatchObject({ valid: true, code: 'OK', anchor: 'checkpoint', calendarIndex: 2 });
    expect(result.time?.toISOString()).toBe('2026-01-15T10:00:02.000Z');
    // The same with only the digest.
    expect(
      verifyKsiSignature(parsed, { documentHash: hashDocument(document), checkpointKey: vkey }).valid,
    ).toBe(true);
  });

  it('names exactly what failed', async () => {
    const { signature, vkey } = await fixture();
    const code = (sig: KsiSignature | string, extra: object = {}) =>
      verifyKsiSignature(sig, { document, checkpointKey: vkey, ...extra }).code;
    const flip = (h: Uint8Array) => {
      const c = Uint8Array.from(h);
      c[0]! ^= 1;
      return c;
    };
    expect(code(signature, { document: new TextEncoder().encode('another document') })).toBe(
      'DOCUMENT_HASH_MISMATCH',
    );
    const step = signature.aggregation[0]!;
    expect(
      code({ ...signature, aggregation: [{ ...step, path: [flip(step.path[0]!), ...step.path.slice(1)] }] }),
    ).toBe('BROKEN_PATH');
    expect(code({ ...signature, aggregation: [{ ...step, index: step.index + 1 }] })).toBe('BROKEN_PATH');
    expect(code({ ...signature, aggregation: [{ ...step, path: step.path.slice(1) }] })).toBe('BROKEN_PATH');
    expect(code({ ...signature, roundRoot: flip(signature.roundRoot) })).toBe('BROKEN_PATH');
    expect(
      code({
        ...signature,
        calendarPath: [flip(signature.calendarPath[0]!), ...signature.calendarPath.slice(1)],
      }),
    ).toBe('ROOT_NOT_IN_CALENDAR');
    expect(code({ ...signature, roundTime: signature.roundTime + 1 })).toBe('ROOT_NOT_IN_CALENDAR');
    expect(code({ ...signature, calendarIndex: 3 })).toBe('ROOT_NOT_IN_CALENDAR');
    const other = new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(9));
    expect(code(signature, { checkpointKey: other.verifier() })).toBe('CHECKPOINT_SIGNATURE');
    expect(code(signature, { origin: 'riik/OTHER/calendar' })).toBe('CHECKPOINT_SIGNATURE');
    const resigned = await signNote(signature.checkpoint.slice(0, signature.checkpoint.indexOf('\n\n') + 1), [
      other,
    ]);
    expect(code({ ...signature, checkpoint: resigned })).toBe('CHECKPOINT_SIGNATURE');
    expect(code('riik/ksi-signature@v1\nhash AAAA\n')).toBe('MALFORMED_SIGNATURE');
    expect(() => verifyKsiSignature(signature, { document })).toThrow(KsiError);
  });

  it('extends to a publication, then verifies from the publication code alone', async () => {
    const { calendar, signature } = await fixture();
    const publication = calendar.publication(Date.UTC(2026, 0, 16) / 1000);
    const cpSize = 3; // the signature's checkpoint was made right after round 2
    const proof = await consistencyProof(calendar.store, cpSize, publication.size);
    const extended = extendSignature(signature, publication, proof);
    const code = encodePublication(publication);
    const text = formatSignature(extended);
    expect(text).toContain(`\npublication ${code}\n`);
    expect(verifyKsiSignature(text, { document, publication: code })).toMatchObject({
      valid: true,
      anchor: 'publication',
    });
    // Case and dashes do not matter when typing a code; one wrong letter does.
    expect(
      verifyKsiSignature(text, { document, publication: code.toLowerCase().replace(/-/g, ' ') }).valid,
    ).toBe(true);
    const typo = code.slice(0, 10) + (code[10] === 'A' ? 'B' : 'A') + code.slice(11);
    expect(verifyKsiSignature(text, { document, publication: typo }).code).toBe('BAD_PUBLICATION_CODE');
    expect(verifyKsiSignature(signature, { document, publication: code }).code).toBe('NOT_EXTENDED');
    const later = encodePublication({ ...publication, time: publication.time + 1 });
    expect(verifyKsiSignature(text, { document, publication: later }).code).toBe('PUBLICATION_MISMATCH');
    // A consistency proof that does not lead to the published root.
    const forged = {
      ...extended,
      publication: {
        ...extended.publication!,
        consistency: [leafHash(new Uint8Array(1)), ...proof.slice(1)],
      },
    };
    expect(verifyKsiSignature(forged, { document, publication: code }).code).toBe('PUBLICATION_MISMATCH');
    expect(() =>
      extendSignature(signature, { ...publication, root: leafHash(new Uint8Array(2)) }, proof),
    ).toThrow(KsiError);
    // A publication older than the signature cannot cover it.
    expect(publicationFor(signature, [{ ...publication, size: 2 }])).toBeUndefined();
    expect(publicationFor(signature, [{ ...publication, size: 2 }, publication])).toEqual(publication);
  });

  it('chains client-side aggregation below the service round (KSI levels)', async () => {
    const calendar = new TestCalendar();
    const docs = Array.from({ length: 10 }, (_, i) => hashDocument(new TextEncoder().encode(`doc ${i}`)));
    const local = MerkleTree.fromLeaves(docs.map((h) => aggregationLeafData(h, 0)));
    const round = MerkleTree.fromLeaves([
      aggregationLeafData(randomBytes(32)),
      aggregationLeafData(local.root(), 4),
    ]);
    const { index, path, checkpoint } = await calendar.append(1_700_000_000_000, round.root());
    const top = signatureFromFrame(
      { hash: local.root(), level: 4 },
      {
        calendarIndex: index,
        roundTime: 1_700_000_000_000,
        roundSize: 2,
        roundRoot: round.root(),
        calendarPath: path,
        checkpoint,
      },
      { record: 0, leafIndex: 1, path: round.inclusionProof(1) },
      [{ level: 0, index: 7, size: 10, path: local.inclusionProof(7) }],
      docs[7],
    );
    const vkey = calendar.signer.verifier();
    expect(verifyKsiSignature(top, { documentHash: docs[7]!, checkpointKey: vkey }).valid).toBe(true);
    expect(parseSignature(formatSignature(top)).aggregation).toHaveLength(2);
    // The level above a 10-leaf tree must be at least 4 (its height).
    const lowLevel = { ...top, aggregation: [top.aggregation[0]!, { ...top.aggregation[1]!, level: 3 }] };
    expect(verifyKsiSignature(lowLevel, { documentHash: docs[7]!, checkpointKey: vkey }).code).toBe(
      'BROKEN_PATH',
    );
  });

  it('parses strictly: malformed texts give MALFORMED_SIGNATURE and nothing else', async () => {
    const { signature } = await fixture();
    const text = formatSignature(signature);
    const lines = text.split('\n');
    const bad = [
      '',
      'hello',
      text.replace('riik/ksi-signature@v1', 'riik/ksi-signature@v2'),
      text.replace('\n\nc2sp', '\nc2sp'),
      text.replace(/aggregation 0 5 \d+/, 'aggregation 0 05 17'),
      text.replace(/aggregation 0 5 \d+/, 'aggregation 256 5 17'),
      text.replace(/round (\d+)/, 'round -1'),
      text.replace('index 2', 'index x'),
      text.replace(/hash \S+/, 'hash !!!'),
      text + 'trailing junk',
      'x'.repeat(70_000),
    ];
    for (const t of bad) expect(() => parseSignature(t), t.slice(0, 60)).toThrow(KsiError);
    for (let i = 0; i < lines.length; i++) {
      const without = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
      try {
        parseSignature(without);
      } catch (err) {
        expect(err).toBeInstanceOf(KsiError);
      }
    }
    for (let i = 0; i < 500; i++) {
      const b = Buffer.from(text);
      b[(i * 7919) % b.length] = randomBytes(1)[0]!;
      try {
        const sig = parseSignature(b);
        verifyKsiSignature(sig, {
          document,
          checkpointKey: new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(7)).verifier(),
        });
      } catch (err) {
        expect(err).toBeInstanceOf(KsiError);
      }
    }
  });
});

describe('calendar entries and publications', () => {
  it('encodes entries as time || root', () => {
    const root = new Uint8Array(32).fill(0xab);
    const entry = encodeCalendarEntry(0x0102030405, root);
    expect(Buffer.from(entry.subarray(0, 8)).toString('hex')).toBe('0000000102030405');
    expect(decodeCalendarEntry(entry)).toEqual({ timeMs: 0x0102030405, roundRoot: root });
    expect(calendarLeafHash(0x0102030405, root)).toEqual(leafHash(entry));
    expect(() => encodeCalendarEntry(-1, root)).toThrow(KsiError);
    expect(() => decodeCalendarEntry(new Uint8Array(39))).toThrow(KsiError);
  });

  it('publication codes: 85 base32 letters in groups of six, with a CRC-32', () => {
    const p: Publication = {
      time: 1_768_521_600,
      size: 123_456,
      root: leafHash(new TextEncoder().encode('root')),
    };
    const code = encodePublication(p);
    expect(code).toMatch(/^([A-Z2-7]{6}-){14}[A-Z2-7]$/);
    expect(decodePublication(code)).toEqual(p);
    // Every single-letter substitution is caught.
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const flat = code.replace(/-/g, '');
    for (let i = 0; i < flat.length; i++) {
      const swapped =
        flat.slice(0, i) + letters[(letters.indexOf(flat[i]!) + 1 + (i % 31)) % 32] + flat.slice(i + 1);
      expect(() => decodePublication(swapped)).toThrow(KsiError);
    }
    for (const bad of ['', 'AAAA', flat + 'A', flat.slice(1), flat.replace(/.$/, '1'), '0'.repeat(85)])
      expect(() => decodePublication(bad)).toThrow(KsiError);
  });

  it('publications file: a signed note listing the codes', async () => {
    const signer = new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(3));
    const list: Publication[] = [
      { time: 100, size: 5, root: leafHash(new Uint8Array([1])) },
      { time: 200, size: 9, root: leafHash(new Uint8Array([2])) },
    ];
    const text = await signPublications('riik/TEST/calendar', list, signer);
    expect(text.startsWith(formatPublications('riik/TEST/calendar', list) + '\n— riik/TEST/calendar ')).toBe(
      true,
    );
    expect(parsePublications(text, signer.verifier())).toEqual({
      origin: 'riik/TEST/calendar',
      publications: list,
    });
    const other = new Ed25519NoteSigner('riik/TEST/calendar', new Uint8Array(32).fill(4));
    expect(() => parsePublications(text, other.verifier())).toThrow(KsiError);
    const unordered = await signPublications('riik/TEST/calendar', [list[1]!, list[0]!], signer);
    expect(() => parsePublications(unordered)).toThrow(KsiError);
  });

  it('signs checkpoints through a keystore Signer (Ed25519) exactly as a raw note key does', async () => {
    const signer = new SoftwareSigner(generatePrivateKey('Ed25519'));
    const note = noteSignerOf('riik/TEST/calendar', signer);
    const text = await signNote('riik/TEST/calendar\n1\n' + toBase64(new Uint8Array(32)) + '\n', [note]);
    const { parseVerifierKey, openNote } = await import('@riik/core');
    expect(openNote(text, [parseVerifierKey(note.vkey)]).signatures).toHaveLength(1);
    expect(() => noteSignerOf('x', new SoftwareSigner(generatePrivateKey('EC-P256')))).toThrow(KsiError);
  });
});

describe('binary batch protocol', () => {
  it('reads records and frames however the bytes are split', () => {
    const subs = Array.from({ length: 50 }, (_, i) => ({ hash: randomBytes(i % 2 ? 32 : 64), level: i % 3 }));
    const bytes = encodeSubmissions(subs);
    for (const step of [1, 7, 130, bytes.length]) {
      const reader = new SubmissionReader();
      const seen: string[] = [];
      for (let p = 0; p < bytes.length; p += step)
        reader.push(bytes.subarray(p, p + step), (leaf) => seen.push(Buffer.from(leaf).toString('hex')));
      expect(reader.pending).toBe(0);
      expect(seen).toEqual(
        subs.map((s) => Buffer.from(aggregationLeafData(s.hash, s.level)).toString('hex')),
      );
    }
    const header = {
      calendarIndex: 2 ** 40,
      roundTime: 1_768_521_600_123,
      roundSize: 50,
      roundRoot: new Uint8Array(randomBytes(32)),
      calendarPath: [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))],
      checkpoint: 'riik/TEST/calendar\n1\nAAAA\n\n— x y\n',
    };
    const proofs = [
      { record: 0, leafIndex: 3, path: [randomBytes(32)] },
      { record: 1, leafIndex: 4, path: [] },
    ];
    const stream = Buffer.concat([
      encodeRoundFrame(header, proofs),
      encodeEndFrame(2),
      encodeEndFrame(0, 'x'),
    ]);
    const reader = new FrameReader();
    const frames = [];
    for (let p = 0; p < stream.length; p += 3) {
      try {
        frames.push(...reader.push(stream.subarray(p, p + 3)));
      } catch (err) {
        expect((err as KsiError).code).toBe('MALFORMED_FRAME'); // data after the end frame
        break;
      }
    }
    expect(frames[0]).toMatchObject({
      type: 'round',
      ...header,
      calendarPath: header.calendarPath.map((h) => new Uint8Array(h)),
    });
    expect(frames[1]).toEqual({ type: 'end', accepted: 2 });
    const whole = new FrameReader();
    whole.push(encodeRoundFrame(header, proofs));
    expect(whole.complete).toBe(false); // no end frame yet: a cut-short answer is detectable
    whole.push(encodeEndFrame(2));
    expect(whole.complete).toBe(true);
  });

  it('writes tree frames identical to frames of explicit proofs', () => {
    const tree = MerkleTree.fromLeaves(Array.from({ length: 37 }, (_, i) => Uint8Array.of(i)));
    const header = {
      calendarIndex: 5,
      roundTime: 1_768_521_600_000,
      roundSize: 37,
      roundRoot: tree.root(),
      calendarPath: [tree.leafHash(0)],
      checkpoint: 'cp\n',
    };
    const runs = [
      { record: 0, leaf: 3, count: 4 },
      { record: 4, leaf: 30, count: 7 },
    ];
    const proofs = runs.flatMap((r) =>
      Array.from({ length: r.count }, (_, j) => ({
        record: r.record + j,
        leafIndex: r.leaf + j,
        path: tree.inclusionProof(r.leaf + j),
      })),
    );
    expect(Buffer.from(encodeTreeRoundFrame(header, tree, runs))).toEqual(
      Buffer.from(encodeRoundFrame(header, proofs)),
    );
  });

  it('rejects hostile records and frames with coded errors', () => {
    expect(() => new SubmissionReader().push(new Uint8Array([0, 0]), () => undefined)).toThrow(KsiError);
    expect(() => new SubmissionReader().push(new Uint8Array([129, 0]), () => undefined)).toThrow(KsiError);
    expect(() => new SubmissionReader(64).push(new Uint8Array([32, 65]), () => undefined)).toThrow(KsiError);
    expect(() =>
      new SubmissionReader(255, new Set([32])).push(new Uint8Array([31, 0]), () => undefined),
    ).toThrow(KsiError);
    expect(() => encodeSubmissions([{ hash: new Uint8Array(), level: 0 }])).toThrow(KsiError);
    for (let i = 0; i < 300; i++) {
      const junk = randomBytes(5 + (i % 200));
      if (i % 2) junk.writeUInt32BE(junk.length - 4, 0);
      try {
        new FrameReader().push(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(KsiError);
      }
    }
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0xffffffff, 0);
    expect(() => new FrameReader().push(huge)).toThrow(KsiError);
  });
});
