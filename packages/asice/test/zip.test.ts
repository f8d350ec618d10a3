import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import * as testing from '@riik/testing';
import { describe, expect, it } from 'vitest';
import {
  AsiceError,
  ZipReader,
  ZipWriter,
  openContainer,
  unsafePathReason,
  validateContainer,
} from '../src/index.js';
import { ASICE_MIMETYPE, buildZip } from './zip-builder.js';

async function openError(zip: Uint8Array, limits = {}): Promise<string> {
  try {
    (await ZipReader.open(zip, limits)).close();
  } catch (err) {
    expect(err).toBeInstanceOf(AsiceError);
    return (err as AsiceError).code;
  }
  throw new Error('expected the ZIP to be refused');
}

describe('ZIP reading: hostile input', () => {
  it.each([
    ['../evil.txt', 'parent traversal'],
    ['a/../../evil.txt', 'nested traversal'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/evil.txt', 'drive letter'],
    ['a\\..\\evil.txt', 'backslash'],
    ['./a.txt', 'dot segment'],
    ['a//b.txt', 'empty segment'],
    ['a\u0000b.txt', 'NUL'],
    ['', 'empty name'],
  ])('refuses the entry name %j (%s)', async (name) => {
    expect(await openError(buildZip([{ name, data: Buffer.from('x') }]))).toBe('ZIP_UNSAFE_PATH');
  });

  it('refuses names that are not UTF-8', async () => {
    expect(
      await openError(buildZip([{ name: Buffer.from([0x61, 0xff, 0xfe]), data: Buffer.from('x') }])),
    ).toBe('ZIP_BAD_FILE_NAME');
  });

  it('refuses encrypted entries', async () => {
    // traditional PKWARE encryption: a 12-byte header before the (encrypted) data
    const entry = { name: 'a.txt', data: Buffer.alloc(13, 7), declaredSize: 1, flags: 0x801 };
    expect(await openError(buildZip([entry]))).toBe('ZIP_ENCRYPTED');
  });

  it('refuses compression methods other than stored and deflated', async () => {
    expect(await openError(buildZip([{ name: 'a.txt', data: Buffer.from('x'), method: 12 }]))).toBe(
      'ZIP_UNSUPPORTED_COMPRESSION',
    );
  });

  it('refuses a decompression bomb from its declared sizes, before inflating anything', async () => {
    const zeros = Buffer.alloc(32 * 1024 * 1024);
    const zip = buildZip([{ name: 'bomb.bin', data: zeros, method: 8 }]);
    expect(zip.length).toBeLessThan(100_000);
    expect(await openError(zip)).toBe('ZIP_BOMB');
  });

  it('enforces entry count and size limits', async () => {
    const many = buildZip(
      Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })),
    );
    expect(await openError(many, { maxEntries: 10 })).toBe('ZIP_TOO_MANY_ENTRIES');
    const big = buildZip([{ name: 'big.bin', data: Buffer.alloc(5000) }]);
    expect(await openError(big, { maxEntrySize: 4096 })).toBe('ZIP_ENTRY_TOO_LARGE');
    expect(await openError(big, { maxTotalSize: 4096 })).toBe('ZIP_TOO_LARGE');
  });

  it('catches an entry that inflates to more than it declares', async () => {
    const zip = buildZip([
      { name: 'liar.txt', data: Buffer.alloc(10_000, 0x41), method: 8, declaredSize: 10 },
    ]);
    const reader = await ZipReader.open(zip);
    try {
      await expect(reader.readBytes(reader.entries[0]!, 1_000_000)).rejects.toMatchObject({
        code: 'ZIP_INVALID',
      });
    } finally {
      reader.close();
    }
  });

  it('refuses garbage, empty and truncated input', async () => {
    expect(await openError(Buffer.from('this is not a zip file at all'))).toBe('ZIP_INVALID');
    expect(await openError(Buffer.alloc(0))).toBe('ZIP_INVALID');
    const good = buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
    expect(await openError(good.subarray(0, good.length - 5))).toBe('ZIP_INVALID');
  });

  it('refuses readBytes over the caller limit before reading', async () => {
    const reader = await ZipReader.open(buildZip([{ name: 'a.txt', data: Buffer.alloc(100) }]));
    try {
      await expect(reader.readBytes(reader.entries[0]!, 10)).rejects.toMatchObject({
        code: 'ZIP_ENTRY_TOO_LARGE',
      });
    } finally {
      reader.close();
    }
  });

  it('reads entries alike from memory and from a file, and refuses the same corruptions', async () => {
    const text = Buffer.from('Müüja ja ostja lepivad kokku.\n'.repeat(50));
    const good = buildZip([
      { name: 'mimetype', data: ASICE_MIMETYPE },
      { name: 'stored.txt', data: text },
      { name: 'deflated.txt', data: text, method: 8 },
    ]);
    const offsets = [0, 30 + 8 + ASICE_MIMETYPE.length];
    offsets.push(offsets[1]! + 30 + 10 + text.length);
    const variants: Array<[string, Buffer]> = [['intact', good]];
    const corrupt = (label: string, edit: (zip: Buffer) => void) => {
      const zip = Buffer.from(good);
      edit(zip);
      variants.push([label, zip]);
    };
    for (const [i, offset] of offsets.entries()) {
      corrupt(`local header signature ${i}`, (zip) => (zip[offset]! ^= 0xff));
      corrupt(`local name length ${i}`, (zip) => zip.writeUInt16LE(0xffff, offset + 26));
      corrupt(`local extra length ${i}`, (zip) => zip.writeUInt16LE(7, offset + 28));
    }
    corrupt('stored data', (zip) => (zip[offsets[1]! + 30 + 10 + 5]! ^= 0x01));
    corrupt('deflated data', (zip) => (zip[offsets[2]! + 30 + 12 + 3]! ^= 0x01));
    const dir = testing.tempDir('riik-zip-');
    try {
      for (const [index, [label, zip]] of variants.entries()) {
        const path = `${dir.path}/${index}.zip`;
        writeFileSync(path, zip);
        const outcomes: string[][] = [];
        for (const source of [zip, { path }]) {
          const reader = await ZipReader.open(source);
          const outcome: string[] = [];
          try {
            for (const entry of reader.entries) {
              for (const read of [
                () => reader.readBytes(entry, 1_000_000).then((b) => b.toString('hex')),
                () => reader.localExtraFieldLength(entry).then(String),
              ])
                outcome.push(await read().catch((err: AsiceError) => err.code));
            }
          } finally {
            reader.close();
          }
          outcomes.push(outcome);
        }
        expect(outcomes[0], label).toEqual(outcomes[1]);
        if (label !== 'intact') expect(outcomes[0], label).toContain('ZIP_INVALID');
      }
      // an entry of another archive is refused, in memory as from a file
      const other = await ZipReader.open(good);
      const reader = await ZipReader.open(Buffer.from(good));
      try {
        await expect(reader.readBytes(other.entries[1]!, 1_000_000)).rejects.toMatchObject({
          code: 'ZIP_ENTRY_NOT_FOUND',
        });
        await expect(reader.localExtraFieldLength(other.entries[0]!)).rejects.toMatchObject({
          code: 'ZIP_ENTRY_NOT_FOUND',
        });
      } finally {
        reader.close();
        other.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('unsafePathReason accepts ordinary relative paths', () => {
    expect(unsafePathReason('folder/test1.txt')).toBeUndefined();
    expect(unsafePathReason('META-INF/')).toBeUndefined();
    expect(unsafePathReason("1234567890 !#$%&'()+,-.;=@[]^_`{}~ õäöü.txt")).toBeUndefined();
  });
});

describe('container structure from hostile ZIPs', () => {
  const mimetype = { name: 'mimetype', data: ASICE_MIMETYPE };
  const manifest = (files: string[]): { name: string; data: Buffer } => ({
    name: 'META-INF/manifest.xml',
    data: Buffer.from(
      `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">` +
        `<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>` +
        files
          .map((f) => `<manifest:file-entry manifest:full-path="${f}" manifest:media-type="text/plain"/>`)
          .join('') +
        `</manifest:manifest>`,
    ),
  });

  async function verdictOf(zip: Buffer): Promise<{ verdict: string; code?: string }> {
    const r = await validateContainer(zip);
    return { verdict: r.verdict, ...(r.error ? { code: r.error.code } : {}) };
  }

  it('duplicate data file names are an open error', async () => {
    const zip = buildZip([
      mimetype,
      manifest(['a.txt']),
      { name: 'a.txt', data: Buffer.from('1') },
      { name: 'a.txt', data: Buffer.from('2') },
    ]);
    expect(await verdictOf(zip)).toEqual({ verdict: 'OPEN_ERROR', code: 'CONTAINER_DUPLICATE_ENTRY' });
  });

  it('duplicate mimetype or manifest entries are open errors', async () => {
    expect(await verdictOf(buildZip([mimetype, mimetype]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_DUPLICATE_ENTRY',
    });
    expect(await verdictOf(buildZip([mimetype, manifest([]), manifest([])]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_DUPLICATE_ENTRY',
    });
  });

  it('data file names differing only in case are reported, not refused (as the DigiDoc validators do)', async () => {
    const container = await openContainer(
      buildZip([
        mimetype,
        manifest(['a.txt', 'A.txt']),
        { name: 'a.txt', data: Buffer.from('1') },
        { name: 'A.txt', data: Buffer.from('2') },
      ]),
    );
    try {
      expect(container.notices.map((n) => n.code)).toContain('CASE_VARIANT_FILE_NAMES');
    } finally {
      container.close();
    }
  });

  it('a wrong or missing mimetype is an open error', async () => {
    expect(await verdictOf(buildZip([{ name: 'mimetype', data: Buffer.from('application/zip') }]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_MIMETYPE_INVALID',
    });
    expect(await verdictOf(buildZip([{ name: 'a.txt', data: Buffer.from('x') }]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_NOT_ASIC',
    });
  });

  it('a mimetype that is compressed, late, padded or carries an extra field opens with warnings', async () => {
    const zip = buildZip([
      manifest([]),
      {
        name: 'mimetype',
        data: Buffer.from('application/vnd.etsi.asic-e+zip\n'),
        method: 8,
        extra: Buffer.from([0x99, 0x99, 0, 0]),
      },
    ]);
    const container = await openContainer(zip);
    try {
      expect(container.notices.map((n) => n.code).sort()).toEqual([
        'MIMETYPE_COMPRESSED',
        'MIMETYPE_EXTRA_FIELD',
        'MIMETYPE_NOT_EXACT',
        'MIMETYPE_NOT_FIRST',
      ]);
    } finally {
      container.close();
    }
  });

  it('manifest paths are checked like ZIP names', async () => {
    expect(await verdictOf(buildZip([mimetype, manifest(['../x.txt'])]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_MANIFEST_INVALID_PATH',
    });
    expect(await verdictOf(buildZip([mimetype, manifest(['a.txt', 'a.txt'])]))).toEqual({
      verdict: 'OPEN_ERROR',
      code: 'CONTAINER_DUPLICATE_ENTRY',
    });
  });

  it('an ASiC-E with only data files is UNSIGNED, not valid', async () => {
    const zip = buildZip([mimetype, manifest(['a.txt']), { name: 'a.txt', data: Buffer.from('x') }]);
    expect((await validateContainer(zip)).verdict).toBe('UNSIGNED');
  });

  it('recognises a DDOC (XML, not ZIP) as an unsupported legacy format', async () => {
    const ddoc = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<SignedDoc format="DIGIDOC-XML" version="1.3"/>',
    );
    const r = await validateContainer(ddoc);
    expect(r.verdict).toBe('UNSUPPORTED');
    expect(r.error?.code).toBe('CONTAINER_UNSUPPORTED_FORMAT');
  });
});

describe('ZIP writing', () => {
  it('refuses unsafe and duplicate names, also case variants', () => {
    const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
    expect(() => w.addBytes('../x', Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'ZIP_UNSAFE_PATH' }),
    );
    w.addBytes('a.txt', Buffer.from('x'));
    expect(() => w.addBytes('A.TXT', Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'ZIP_DUPLICATE_ENTRY' }),
    );
  });

  it('writes a stored entry first with no extra field and no data descriptor', async () => {
    const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
    w.addStored('mimetype', ASICE_MIMETYPE);
    w.addBytes('a.txt', Buffer.from('hello hello hello'));
    const zip = await w.toBuffer();
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(6) & 0x08).toBe(0); // no data descriptor
    expect(zip.readUInt16LE(8)).toBe(0); // stored
    expect(zip.readUInt16LE(26)).toBe(8); // name length
    expect(zip.readUInt16LE(28)).toBe(0); // no extra field
    expect(zip.subarray(30, 38).toString()).toBe('mimetype');
    expect(zip.subarray(38, 38 + ASICE_MIMETYPE.length).equals(ASICE_MIMETYPE)).toBe(true);
  });

  it(
    'fails (never hangs) when a data stream cannot be opened, breaks, or has the wrong size',
    { timeout: 10_000 },
    async () => {
      const cannotOpen = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
      cannotOpen.addStream('a.txt', () => Promise.reject(new Error('no such file')));
      await expect(cannotOpen.toBuffer()).rejects.toMatchObject({ code: 'ZIP_WRITE_FAILED' });
      const breaks = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
      breaks.addStream(
        'b.txt',
        () =>
          new Readable({
            read() {
              this.destroy(new Error('disk went away'));
            },
          }),
      );
      await expect(breaks.toBuffer()).rejects.toMatchObject({ code: 'ZIP_WRITE_FAILED' });
      const wrongSize = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
      wrongSize.addStream('c.txt', () => Readable.from([Buffer.from('abc')]), { size: 10 });
      await expect(wrongSize.toBuffer()).rejects.toMatchObject({ code: 'ZIP_WRITE_FAILED' });
    },
  );
});

describe('ZIP writing: what Java, Info-ZIP and Python read', () => {
  const { tempDir, runTool } = testing;
  const entriesOf = (zip: Buffer) => {
    // walk the central directory and compare every local header with it
    let eocd = zip.length - 22;
    while (zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    const out: Array<{ name: string; flags: number; method: number; crcLocal: number; crcCentral: number }> =
      [];
    let p = zip.readUInt32LE(eocd + 16);
    for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
      const nameLength = zip.readUInt16LE(p + 28);
      const local = zip.readUInt32LE(p + 42);
      out.push({
        name: zip.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
        flags: zip.readUInt16LE(local + 6),
        method: zip.readUInt16LE(local + 8),
        crcLocal: zip.readUInt32LE(local + 14),
        crcCentral: zip.readUInt32LE(p + 16),
      });
      p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    }
    return out;
  };
  const stream = (text: string) => () =>
    Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]);

  it('writing a file: no data descriptors; CRC and sizes in every local header', async () => {
    const dir = tempDir('riik-zip-');
    try {
      const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
      w.addStored('mimetype', ASICE_MIMETYPE);
      w.addStream('stored.txt', stream('stored, streamed content'), { compress: false });
      w.addStream('deflated õ.txt', stream('deflated, streamed content '.repeat(20)));
      const path = `${dir.path}/a.zip`;
      await w.writeTo(path);
      const zip = readFileSync(path);
      for (const e of entriesOf(zip)) {
        expect(e.flags & 0x08, e.name).toBe(0);
        expect(e.crcLocal, e.name).toBe(e.crcCentral);
      }
      expect(entriesOf(zip).map((e) => e.method)).toEqual([0, 0, 8]);
      const unzip = await runTool('unzip', ['-t', path]);
      expect(unzip.out).toContain('No errors detected');
      const python = await runTool('python3', [
        '-c',
        `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.testzip(), z.read('stored.txt').decode())`,
        path,
      ]);
      expect(python.out.trim()).toBe('None stored, streamed content');
    } finally {
      dir.remove();
    }
  });

  it('writing a stream: streamed entries are deflated with a data descriptor (never stored with one)', async () => {
    const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'));
    w.addStored('mimetype', ASICE_MIMETYPE);
    w.addStream('asked-stored.txt', stream('content of a stream'), { compress: false });
    const zip = await w.toBuffer();
    const [mimetype, entry] = entriesOf(zip);
    expect(mimetype).toMatchObject({ flags: 0, method: 0 });
    expect(entry).toMatchObject({ flags: 0x08, method: 8, crcLocal: 0 });
    const reader = await ZipReader.open(zip);
    try {
      expect((await reader.readBytes(reader.entries[1]!, 1000)).toString()).toBe('content of a stream');
    } finally {
      reader.close();
    }
  });

  it('ZIP64 sizes and offsets are read back by riik, Info-ZIP and Python', async () => {
    const dir = tempDir('riik-zip64-');
    try {
      for (const target of ['file', 'stream'] as const) {
        const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'), 100);
        w.addStored('mimetype', ASICE_MIMETYPE);
        w.addBytes('big.txt', Buffer.from('x'.repeat(300)), false);
        w.addStream('streamed.txt', stream('y'.repeat(250)), { size: 250, compress: false });
        w.addStream('unsized.txt', stream('small'));
        const path = `${dir.path}/${target}.zip`;
        if (target === 'file') await w.writeTo(path);
        else writeFileSync(path, await w.toBuffer());
        const zip = readFileSync(path);
        expect(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // ZIP64 end record
        const reader = await ZipReader.open(zip);
        try {
          expect(reader.entries.map((e) => [e.name, e.uncompressedSize])).toEqual([
            ['mimetype', ASICE_MIMETYPE.length],
            ['big.txt', 300],
            ['streamed.txt', 250],
            ['unsized.txt', 5],
          ]);
          expect((await reader.readBytes(reader.entries[2]!, 1000)).toString()).toBe('y'.repeat(250));
        } finally {
          reader.close();
        }
        expect((await runTool('unzip', ['-t', path])).out, target).toContain('No errors detected');
        const python = await runTool('python3', [
          '-c',
          'import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).testzip())',
          path,
        ]);
        expect(python.out.trim(), target).toBe('None');
      }
    } finally {
      dir.remove();
    }
  });

  it('an entry over the ZIP64 limit whose size was not declared is refused, not corrupted', async () => {
    const w = new ZipWriter(new Date('2026-01-01T00:00:00Z'), 100);
    w.addStream('unsized.txt', stream('z'.repeat(500)), { compress: false });
    await expect(w.toBuffer()).rejects.toMatchObject({ code: 'ZIP_ENTRY_TOO_LARGE' });
  });
});
