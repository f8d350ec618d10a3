import { describe, expect, it } from 'vitest';
import { FakeClock, readTestJson } from '@riik/testing';
import {
  Ed25519CosignatureSigner,
  Ed25519CosignatureVerifier,
  Ed25519NoteSigner,
  MerkleTree,
  SIGNATURE_TYPE,
  cosignedMessage,
  formatCheckpoint,
  formatKeyId,
  generateNoteKey,
  leafHash,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseCosignature,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  toHex,
  verifyConsistency,
} from '../src/index.js';
import { codeOf } from './helpers.js';

interface CheckpointExample {
  id: string;
  note: string;
  expectedParse: {
    origin: string;
    treeSize: number;
    rootHashBase64: string;
    rootHashHex?: string;
    extensionLines?: string[];
    signatures: Array<{
      name: string;
      keyId: string;
      signatureLength: number;
      cosignatureTimestamp?: number;
    }>;
  };
  cosignedMessage?: string;
}

const { checkpointExamples, verifierKeys } = readTestJson<{
  checkpointExamples: CheckpointExample[];
  verifierKeys: Record<string, { vkey: string }>;
}>('merkle', 'notes.json');

describe('C2SP checkpoint and cosignature examples (notes.json checkpointExamples)', () => {
  it('has both examples', () => expect(checkpointExamples).toHaveLength(2));
  for (const ex of checkpointExamples) {
    it(ex.id, () => {
      const { text, signatures } = parseNote(ex.note);
      const cp = parseCheckpoint(text);
      expect(cp.origin).toBe(ex.expectedParse.origin);
      expect(cp.treeSize).toBe(ex.expectedParse.treeSize);
      expect(Buffer.from(cp.rootHash).toString('base64')).toBe(ex.expectedParse.rootHashBase64);
      if (ex.expectedParse.rootHashHex) expect(toHex(cp.rootHash)).toBe(ex.expectedParse.rootHashHex);
      expect(cp.extensions).toEqual(ex.expectedParse.extensionLines ?? []);
      expect(formatCheckpoint(cp)).toBe(text);
      expect(signatures).toHaveLength(ex.expectedParse.signatures.length);
      signatures.forEach((sig, i) => {
        const want = ex.expectedParse.signatures[i]!;
        expect(sig.name).toBe(want.name);
        expect(formatKeyId(sig.keyId)).toBe(want.keyId);
        if (want.cosignatureTimestamp === undefined) {
          expect(Buffer.from(sig.base64, 'base64').length - 4).toBe(want.signatureLength);
        } else {
          const cosig = parseCosignature(sig.base64);
          expect(cosig.timestamp).toBe(want.cosignatureTimestamp);
          expect(cosig.keyId).toBe(sig.keyId);
          expect(cosig.signature).toHaveLength(want.signatureLength);
          expect(new TextDecoder().decode(cosignedMessage(text, cosig.timestamp))).toBe(ex.cosignedMessage);
        }
      });
      // No verifier key was published for these: with unrelated keys nothing verifies.
      const unrelated = Object.values(verifierKeys).map((k) => parseVerifierKey(k.vkey));
      expect(codeOf(() => openNote(ex.note, unrelated))).toBe('NO_VERIFIABLE_SIGNATURES');
    });
  }
});

describe('a log checkpoint, cosigned by a witness', () => {
  const seed = (b: number) => (n: number) => new Uint8Array(n).fill(b);
  const logKey = generateNoteKey('riik.example/calendar', { random: seed(1) });
  const witnessKey = generateNoteKey('witness.example/w1', {
    type: SIGNATURE_TYPE.ed25519Cosignature,
    random: seed(2),
  });
  const clock = new FakeClock('2026-01-15T10:00:00Z');
  const log = parseSignerKey(logKey.skey);
  const logVerifier = parseVerifierKey(logKey.vkey);
  const witness = parseSignerKey(witnessKey.skey, { now: clock.now });
  const witnessVerifier = parseVerifierKey(witnessKey.vkey);
  const tree = MerkleTree.fromLeaves(
    Array.from({ length: 1000 }, (_, i) => new Uint8Array([i & 0xff, i >> 8])),
  );
  const checkpoint = {
    origin: 'riik.example/calendar',
    treeSize: 1000,
    rootHash: tree.root(),
    extensions: [],
  };

  it('keys: the cosigner key ID uses type 0x04, so the same key under type 0x01 differs', () => {
    expect(witness).toBeInstanceOf(Ed25519CosignatureSigner);
    expect(witnessVerifier).toBeInstanceOf(Ed25519CosignatureVerifier);
    expect((witnessVerifier as Ed25519CosignatureVerifier).vkey).toBe(witnessKey.vkey);
    const plain = new Ed25519NoteSigner('witness.example/w1', new Uint8Array(32).fill(2));
    expect(plain.keyId).not.toBe(witness.keyId);
  });

  it('signs, opens, cosigns and opens again', async () => {
    const signed = await signCheckpoint(checkpoint, [log]);
    const opened = openCheckpoint(signed, logVerifier);
    expect(opened.checkpoint.treeSize).toBe(1000);
    expect(toHex(opened.checkpoint.rootHash)).toBe(toHex(tree.root()));

    const cosigned = await signNote(opened.note, [witness]);
    const both = openCheckpoint(cosigned, logVerifier, { cosigners: [witnessVerifier] });
    expect(both.note.signatures.map((s) => s.name)).toEqual(['riik.example/calendar', 'witness.example/w1']);
    const line = both.note.signatures[1]!;
    expect(parseCosignature(line.base64).timestamp).toBe(Date.parse('2026-01-15T10:00:00Z') / 1000);
    // Without the witness key, its cosignature is simply unverified.
    expect(openCheckpoint(cosigned, logVerifier).note.unverifiedSignatures).toHaveLength(1);
  });

  it('a consistency proof between two signed checkpoints verifies against their roots', async () => {
    const older = openCheckpoint(
      await signCheckpoint({ ...checkpoint, treeSize: 600, rootHash: tree.rootAt(600) }, [log]),
      logVerifier,
    );
    const newer = openCheckpoint(await signCheckpoint(checkpoint, [log]), logVerifier);
    const proof = tree.consistencyProof(600, 1000);
    expect(() =>
      verifyConsistency(600, 1000, proof, older.checkpoint.rootHash, newer.checkpoint.rootHash),
    ).not.toThrow();
  });

  it('a changed timestamp or body breaks the cosignature', async () => {
    const opened = openCheckpoint(await signCheckpoint(checkpoint, [log]), logVerifier);
    const cosigned = await signNote(opened.note, [witness]);
    const { signatures } = parseNote(cosigned);
    const raw = Buffer.from(signatures[1]!.base64, 'base64');
    raw.writeBigUInt64BE(raw.readBigUInt64BE(4) + 1n, 4);
    const forged = cosigned.replace(signatures[1]!.base64, raw.toString('base64'));
    expect(codeOf(() => openCheckpoint(forged, logVerifier, { cosigners: [witnessVerifier] }))).toBe(
      'INVALID_SIGNATURE',
    );
    const v = witnessVerifier;
    expect(v.verify(new TextEncoder().encode('x\n'), new Uint8Array(71))).toBe(false);
  });

  it('refuses the wrong origin or a missing log signature', async () => {
    const signed = await signCheckpoint(checkpoint, [log]);
    expect(codeOf(() => openCheckpoint(signed, logVerifier, { origin: 'other.example/log' }))).toBe(
      'ORIGIN_MISMATCH',
    );
    const otherKey = generateNoteKey('riik.example/calendar', { random: seed(9) });
    const other = parseSignerKey(otherKey.skey);
    const openedOther = openNote(await signCheckpoint(checkpoint, [other]), [
      parseVerifierKey(otherKey.vkey),
    ]);
    const byOther = await signNote(openedOther, [witness]);
    expect(codeOf(() => openCheckpoint(byOther, logVerifier, { cosigners: [witnessVerifier] }))).toBe(
      'LOG_SIGNATURE_MISSING',
    );
    const notACheckpoint = await signNote('just a note\n', [log]);
    expect(codeOf(() => openCheckpoint(notACheckpoint, logVerifier))).toBe('MALFORMED_CHECKPOINT');
  });

  it('the cosigner signs checkpoints only', async () => {
    await expect(signNote('hello\n', [witness])).rejects.toMatchObject({ code: 'MALFORMED_CHECKPOINT' });
  });
});

describe('hostile checkpoints and cosignatures', () => {
  const root = Buffer.alloc(32, 0xab).toString('base64');
  const body = (size: string, r = root, rest = ''): string => `example.com/log\n${size}\n${r}\n${rest}`;

  it('accepts the edges of the format', () => {
    expect(parseCheckpoint(body('0')).treeSize).toBe(0);
    expect(parseCheckpoint(body(String(Number.MAX_SAFE_INTEGER))).treeSize).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCheckpoint(body('5', root, 'ext one\next two\n')).extensions).toEqual(['ext one', 'ext two']);
    expect(parseCheckpoint(`o r i g i n\n1\n${root}\n`).origin).toBe('o r i g i n');
  });

  it('rejects bad tree sizes', () => {
    for (const size of [
      '',
      '-1',
      '01',
      '00',
      '1.0',
      '0x10',
      '1e3',
      ' 1',
      '1 ',
      '+1',
      '\u0661',
      '9007199254740992',
      '18446744073709551615',
      '99999999999999999999999',
    ]) {
      expect(
        codeOf(() => parseCheckpoint(body(size))),
        size,
      ).toBe('MALFORMED_CHECKPOINT');
    }
  });

  it('rejects bad root hashes', () => {
    const b64 = (n: number): string => Buffer.alloc(n, 1).toString('base64');
    const nonCanonical = `${root.slice(0, 42)}${root[42] === 'r' ? 's' : 'r'}=`;
    for (const r of [
      b64(31),
      b64(33),
      '',
      root.slice(0, -1),
      root.replace(/=$/, ''),
      nonCanonical,
      `${root} `,
      Buffer.alloc(32, 0xfb).toString('base64url'),
      Buffer.alloc(32, 0xfb).toString('base64').replace('+', '-'),
    ]) {
      expect(
        codeOf(() => parseCheckpoint(body('1', r))),
        r,
      ).toBe('MALFORMED_CHECKPOINT');
    }
  });

  it('rejects bad structure', () => {
    for (const text of [
      '',
      'example.com/log\n1\n',
      `example.com/log\n1\n${root}`,
      `\n1\n${root}\n`,
      `example.com/log\n1\n${root}\n\n`,
      `example.com/log\n1\n${root}\next\n\n`,
      `example.com/log\n\n1\n${root}\n`,
      `example.com/log\r\n1\n${root}\n`,
      `example.com/\u0000log\n1\n${root}\n`,
      `\ud800\n1\n${root}\n`,
      5 as unknown as string,
    ]) {
      expect(
        codeOf(() => parseCheckpoint(text)),
        JSON.stringify(text),
      ).toBe('MALFORMED_CHECKPOINT');
    }
  });

  it('refuses to format what it would not parse', () => {
    const ok = { origin: 'o', treeSize: 1, rootHash: leafHash(new Uint8Array(0)), extensions: [] };
    expect(codeOf(() => formatCheckpoint({ ...ok, origin: '' }))).toBe('MALFORMED_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ ...ok, origin: 'a\nb' }))).toBe('MALFORMED_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ ...ok, treeSize: -1 }))).toBe('MALFORMED_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ ...ok, treeSize: 1.5 }))).toBe('MALFORMED_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ ...ok, rootHash: new Uint8Array(31) }))).toBe(
      'MALFORMED_CHECKPOINT',
    );
    expect(codeOf(() => formatCheckpoint({ ...ok, extensions: [''] }))).toBe('MALFORMED_CHECKPOINT');
  });

  it('rejects malformed cosignatures', () => {
    for (const bad of [
      new Uint8Array(0),
      new Uint8Array(71),
      new Uint8Array(73),
      'AAAA',
      '!!!!',
      Buffer.alloc(75).toString('base64'),
    ]) {
      expect(codeOf(() => parseCosignature(bad))).toBe('MALFORMED_COSIGNATURE');
    }
    const huge = new Uint8Array(72);
    huge.fill(0xff, 0, 8);
    expect(codeOf(() => parseCosignature(huge))).toBe('MALFORMED_COSIGNATURE');
    expect(codeOf(() => cosignedMessage('x\n', -1))).toBe('MALFORMED_COSIGNATURE');
  });
});
