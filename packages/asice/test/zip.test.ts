import { Readable } from 'node:stream';
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
