import { describe, expect, it } from 'vitest';
import { readTestJson } from '@riik/testing';
import {
  Ed25519NoteSigner,
  NoteError,
  formatKeyId,
  fromHex,
  generateNoteKey,
  noteKeyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierList,
  type Note,
  type NoteVerifier,
} from '../src/index.js';
import { codeOf } from './helpers.js';

interface ExpectedSig {
  name: string;
  keyId: string;
  base64: string;
}
interface OpenCase {
  id: string;
  messageHex: string;
  knownVerifierKeys: string[];
  expected:
    | { result: 'ok'; text: string; verifiedSignatures: ExpectedSig[]; unverifiedSignatures: ExpectedSig[] }
    | { result: 'error'; error: string };
}
interface Notes {
  verifierKeys: Record<string, { vkey: string; skey?: string; keyIdComputedHere: string }>;
  noteOpenCases: OpenCase[];
  otherExamples: Array<{
    id: string;
    note: string;
    expectedParse: {
      text: string;
      signatures: Array<{ name: string; keyId: string; signatureLength: number }>;
    };
  }>;
}

const notes = readTestJson<Notes>('merkle', 'notes.json');
const utf8 = new TextEncoder();
const sigs = (list: Note['signatures']): ExpectedSig[] =>
  list.map((s) => ({ name: s.name, keyId: formatKeyId(s.keyId), base64: s.base64 }));

const ERROR_CODE: Record<string, string> = {
  'malformed note': 'MALFORMED_NOTE',
  'note has no verifiable signatures': 'NO_VERIFIABLE_SIGNATURES',
};

describe('verifier keys (notes.json verifierKeys)', () => {
  for (const [name, k] of Object.entries(notes.verifierKeys)) {
    it(name, () => {
      const v = parseVerifierKey(k.vkey);
      expect(v.name).toBe(name);
      expect(formatKeyId(v.keyId)).toBe(k.keyIdComputedHere);
      expect((v as { vkey?: string }).vkey).toBe(k.vkey);
      if (k.skey) {
        const s = parseSignerKey(k.skey);
        expect(s.keyId).toBe(v.keyId);
        expect((s as Ed25519NoteSigner).verifier().vkey).toBe(k.vkey);
      }
    });
  }
});

describe('opening notes (notes.json noteOpenCases, Go sumdb/note Open rules)', () => {
  it('has all 17 cases', () => expect(notes.noteOpenCases).toHaveLength(17));
  for (const c of notes.noteOpenCases) {
    it(`${c.id} → ${c.expected.result === 'ok' ? 'ok' : c.expected.error}`, () => {
      const verifiers = c.knownVerifierKeys.map(parseVerifierKey);
      const message = fromHex(c.messageHex);
      if (c.expected.result === 'ok') {
        const note = openNote(message, verifiers);
        expect(note.text).toBe(c.expected.text);
        expect(sigs(note.signatures)).toEqual(c.expected.verifiedSignatures);
        expect(sigs(note.unverifiedSignatures)).toEqual(c.expected.unverifiedSignatures);
        return;
      }
      let error: unknown;
      try {
        openNote(message, verifiers);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(NoteError);
      expect((error as NoteError).message).toBe(c.expected.error);
      const code =
        ERROR_CODE[c.expected.error] ??
        (c.expected.error.startsWith('invalid signature for key') ? 'INVALID_SIGNATURE' : '?');
      expect((error as NoteError).code).toBe(code);
      if (code === 'NO_VERIFIABLE_SIGNATURES') expect((error as NoteError).note?.signatures).toEqual([]);
    });
  }
  it('the same messages opened as text give the same results', () => {
    for (const c of notes.noteOpenCases) {
      const bytes = fromHex(c.messageHex);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        continue; // the invalid UTF-8 case has no text form
      }
      const verifiers = c.knownVerifierKeys.map(parseVerifierKey);
      const viaBytes = codeOf(() => openNote(bytes, verifiers));
      expect(codeOf(() => openNote(text, verifiers))).toBe(viaBytes);
    }
  });
});

describe('parsing notes without verifying', () => {
  for (const ex of notes.otherExamples) {
    it(ex.id, () => {
      const parsed = parseNote(ex.note);
      expect(parsed.text).toBe(ex.expectedParse.text);
      expect(
        parsed.signatures.map((s) => ({
          name: s.name,
          keyId: formatKeyId(s.keyId),
          signatureLength: Buffer.from(s.base64, 'base64').length - 4,
        })),
      ).toEqual(ex.expectedParse.signatures);
    });
  }
});

const PETER = notes.verifierKeys.PeterNeumann!;
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

describe('signing notes', () => {
  it('reproduces the published PeterNeumann signature (Ed25519 is deterministic)', async () => {
    const signed = await signNote(TEXT, [parseSignerKey(PETER.skey!)]);
    const published = notes.noteOpenCases.find((c) => c.id === 'go-peter-only')!;
    expect(signed).toBe(new TextDecoder().decode(fromHex(published.messageHex)));
  });

  it('adds a signature to an opened note, keeping the others, as Go Sign', async () => {
    const both = notes.noteOpenCases.find((c) => c.id === 'go-peter-verified-enoch-unverified')!;
    const opened = openNote(fromHex(both.messageHex), [parseVerifierKey(PETER.vkey)]);
    const me = generateNoteKey('riik.example/test', { random: (n) => new Uint8Array(n).fill(7) });
    const signer = parseSignerKey(me.skey);
    const resigned = await signNote(opened, [signer]);
    const reopened = openNote(resigned, [parseVerifierKey(PETER.vkey), parseVerifierKey(me.vkey)]);
    expect(reopened.signatures.map((s) => s.name)).toEqual(['PeterNeumann', 'riik.example/test']);
    expect(reopened.unverifiedSignatures.map((s) => s.name)).toEqual(['EnochRoot']);
    // Signing again with PeterNeumann's key replaces its old line rather than repeating it.
    const again = await signNote(reopened, [parseSignerKey(PETER.skey!)]);
    expect(parseNote(again).signatures.map((s) => s.name)).toEqual([
      'riik.example/test',
      'EnochRoot',
      'PeterNeumann',
    ]);
  });

  it('generated keys are deterministic given the randomness, and round-trip', async () => {
    const a = generateNoteKey('log.example/a', { random: (n) => new Uint8Array(n).fill(1) });
    const b = generateNoteKey('log.example/a', { random: (n) => new Uint8Array(n).fill(1) });
    expect(a).toEqual(b);
    expect(a.skey.startsWith('PRIVATE+KEY+log.example/a+')).toBe(true);
    const v = parseVerifierKey(a.vkey);
    const note = openNote(await signNote('hello\n', [parseSignerKey(a.skey)]), [v]);
    expect(note.text).toBe('hello\n');
    expect(generateNoteKey('x').vkey).not.toBe(generateNoteKey('x').vkey);
  });

  it('refuses texts and signers a reader would refuse', async () => {
    const signer = parseSignerKey(PETER.skey!);
    for (const text of ['no newline', 'tab\there\n', 'cr\r\n', '\u0000\n', 'lone \ud800\n']) {
      await expect(signNote(text, [signer])).rejects.toMatchObject({ code: 'MALFORMED_NOTE' });
    }
    const badName = { name: 'bad name', keyId: 1, sign: () => new Uint8Array(64) };
    await expect(signNote('x\n', [badName])).rejects.toMatchObject({ code: 'INVALID_SIGNER' });
    const forged = { text: 'x\n', signatures: [{ name: 'A', keyId: 5, base64: 'AAAAAQAA' }] };
    await expect(signNote(forged, [signer])).rejects.toMatchObject({ code: 'MALFORMED_NOTE' });
  });
});

describe('hostile notes', () => {
  const peter = parseVerifierKey(PETER.vkey);
  const good = new TextDecoder().decode(
    fromHex(notes.noteOpenCases.find((c) => c.id === 'go-peter-only')!.messageHex),
  );
  const sigLine = good.slice(good.lastIndexOf('\u2014'));
  const open = (m: string | Uint8Array, known: NoteVerifier[] = [peter]): string | undefined =>
    codeOf(() => openNote(m, known));

  it('opens the untouched note', () => expect(open(good)).toBeUndefined());

  it('malformed structure', () => {
    for (const m of [
      '',
      '\n',
      '\n\n',
      TEXT,
      `${TEXT}${sigLine}`, // no blank line
      `${TEXT}\n${sigLine}`.slice(0, -1), // no final newline
      `${TEXT}\n${sigLine}\n`, // blank line after the signatures
      `${TEXT}\n${sigLine.replace('\u2014 ', '-- ')}`,
      `${TEXT}\n${sigLine.replace('\u2014 ', '\u2014')}`,
      `${TEXT}\n${sigLine.replace('\u2014 ', '\u2014  ')}`,
      `${TEXT}\n${sigLine.replace(' x08', '  x08')}`,
      `${TEXT}\n${sigLine.replace('PeterNeumann', 'Peter+Neumann')}`,
      `${TEXT}\n${sigLine.replace('PeterNeumann', 'Peter\u00a0Neumann')}`,
      `${TEXT}\n${sigLine.replace('PeterNeumann', 'Peter\u3000Neumann')}`,
      `${TEXT}\n${sigLine.replace('PeterNeumann ', '')}`,
      `${TEXT}\n${sigLine.replace('=\n', '\n')}`, // missing padding
      `${TEXT}\n${sigLine.replace('x08go', 'x08g*')}`, // bad base64 character
      `${TEXT}\n${sigLine.replace('x08go', 'x08g-')}`, // URL alphabet is not standard base64
      `${TEXT}\n\u2014 PeterNeumann AAAAAA==\n`, // 4 bytes: key ID but no signature
      `${TEXT}\n\u2014 PeterNeumann \n`,
      `${TEXT}\n${sigLine}\u2014 \n`,
      `${TEXT}\n${sigLine}\r`,
      `\t${good}`,
      `${good.replace('problem,', 'problem,\u001b')}`,
      `lone \ud800 surrogate\n\n${sigLine}`,
    ]) {
      expect(open(m), JSON.stringify(m)).toBe('MALFORMED_NOTE');
    }
  });

  it('malformed bytes: invalid UTF-8, overlong forms, encoded surrogates', () => {
    const body = utf8.encode(good);
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const m = new Uint8Array([...bad, ...body]);
      expect(open(m)).toBe('MALFORMED_NOTE');
    }
    expect(open(new Uint8Array(0))).toBe('MALFORMED_NOTE');
    expect(open(42 as unknown as Uint8Array)).toBe('MALFORMED_NOTE');
  });

  it('too many signatures: 100 lines are read, 101 are malformed', () => {
    const unknown =
      '\u2014 Someone AAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
    const lines = (n: number): string =>
      sigLine +
      Array.from({ length: n - 1 }, (_, i) =>
        unknown.replace(
          'AAAAAQ',
          `AAAA${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[i % 64]}Q`,
        ),
      ).join('');
    expect(open(`${TEXT}\n${lines(100)}`)).toBeUndefined();
    expect(open(`${TEXT}\n${lines(101)}`)).toBe('MALFORMED_NOTE');
    expect(open(`${TEXT}\n${sigLine.repeat(101)}`)).toBe('MALFORMED_NOTE');
  });

  it('oversized notes are refused without work', () => {
    expect(open(`${'a'.repeat(1 << 20)}\n\n${sigLine}`)).toBe('MALFORMED_NOTE');
  });

  it('signature checks: invalid, known key wins over lines after it, names and IDs must both match', () => {
    const tampered = good.replace('cryptography', 'Cryptography');
    expect(open(tampered)).toBe('INVALID_SIGNATURE');
    // Go reads lines in order: an invalid known signature before a malformed line is invalid.
    expect(open(`${tampered}garbage\n`)).toBe('INVALID_SIGNATURE');
    // The same key ID under another name, and the same name with another ID, are unknown keys.
    const renamed = good.replace('\u2014 PeterNeumann', '\u2014 PeterNeumann2');
    expect(open(renamed)).toBe('NO_VERIFIABLE_SIGNATURES');
    const otherId = `${TEXT}\n\u2014 PeterNeumann ${Buffer.from([0, 0, 0, 1, ...new Uint8Array(64)]).toString('base64')}\n`;
    expect(open(otherId)).toBe('NO_VERIFIABLE_SIGNATURES');
    // A wrong-length signature from the known key is an invalid signature, not a crash.
    const short = `${TEXT}\n\u2014 PeterNeumann ${Buffer.from([0xc7, 0x4f, 0x20, 0xa3, 1, 2, 3]).toString('base64')}\n`;
    expect(open(short)).toBe('INVALID_SIGNATURE');
  });

  it('two known keys with the same name and ID are ambiguous', () => {
    const list = verifierList([peter, parseVerifierKey(PETER.vkey)]);
    expect(codeOf(() => openNote(good, list))).toBe('AMBIGUOUS_KEY');
    const liar = { verifier: () => parseVerifierKey(notes.verifierKeys.EnochRoot!.vkey) };
    expect(codeOf(() => openNote(good, liar))).toBe('AMBIGUOUS_KEY');
  });
});

describe('hostile keys', () => {
  it('rejects malformed verifier keys', () => {
    const vkey = PETER.vkey;
    const cases: Array<[string, string]> = [
      ['', 'MALFORMED_KEY'],
      ['PeterNeumann', 'MALFORMED_KEY'],
      ['PeterNeumann+c74f20a3', 'MALFORMED_KEY'],
      [vkey.replace('c74f20a3', 'c74f20a'), 'MALFORMED_KEY'],
      [vkey.replace('c74f20a3', 'c74f20a3a'), 'MALFORMED_KEY'],
      [vkey.replace('c74f20a3', 'g74f20a3'), 'MALFORMED_KEY'],
      [vkey.replace('c74f20a3', 'c74f20a4'), 'KEY_ID_MISMATCH'],
      [vkey.replace('PeterNeumann', 'Peter Neumann'), 'MALFORMED_KEY'],
      [vkey.replace('PeterNeumann', ''), 'MALFORMED_KEY'],
      [vkey.slice(0, -1), 'MALFORMED_KEY'],
      [`${vkey}=`, 'MALFORMED_KEY'],
      [`PeterNeumann+c74f20a3+`, 'MALFORMED_KEY'],
    ];
    for (const [text, code] of cases)
      expect(
        codeOf(() => parseVerifierKey(text)),
        text,
      ).toBe(code);
    // A key ID computed over a key of the wrong length, or of an unknown type, is still refused.
    const short = new Uint8Array([1, ...new Uint8Array(31)]);
    expect(
      codeOf(() =>
        parseVerifierKey(`n+${formatKeyId(noteKeyId('n', short))}+${Buffer.from(short).toString('base64')}`),
      ),
    ).toBe('MALFORMED_KEY');
    const typed = new Uint8Array([9, ...new Uint8Array(32)]);
    expect(
      codeOf(() =>
        parseVerifierKey(`n+${formatKeyId(noteKeyId('n', typed))}+${Buffer.from(typed).toString('base64')}`),
      ),
    ).toBe('UNKNOWN_KEY_TYPE');
    expect(codeOf(() => parseVerifierKey(5 as unknown as string))).toBe('MALFORMED_KEY');
  });

  it('rejects malformed signer keys', () => {
    const skey = PETER.skey!;
    for (const [text, code] of [
      [skey.replace('PRIVATE+KEY', 'PRIVATE+KEX'), 'MALFORMED_KEY'],
      [skey.replace('PRIVATE+KEY+', ''), 'MALFORMED_KEY'],
      [skey.replace('c74f20a3', 'c74f20a4'), 'KEY_ID_MISMATCH'],
      [skey.slice(0, -4), 'MALFORMED_KEY'],
      [PETER.vkey, 'MALFORMED_KEY'],
    ] as Array<[string, string]>) {
      expect(
        codeOf(() => parseSignerKey(text)),
        text,
      ).toBe(code);
    }
    const cosigner = generateNoteKey('w.example', { type: 0x04 });
    expect(codeOf(() => parseSignerKey(cosigner.skey))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => generateNoteKey('bad name'))).toBe('MALFORMED_KEY');
    expect(codeOf(() => new Ed25519NoteSigner('ok', new Uint8Array(31)))).toBe('MALFORMED_KEY');
  });
});
