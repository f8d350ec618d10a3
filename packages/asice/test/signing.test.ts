import { beforeAll, describe, expect, it } from 'vitest';
import {
  AsiceError,
  ZipReader,
  addSignature,
  addUnsignedProperties,
  finalizeSignature,
  openContainer,
  prepareSignature,
  signatureTimeStampData,
  validateContainer,
  type ContainerValidationResult,
  type PkiChecks,
} from '../src/index.js';
import {
  collect,
  makeSigner,
  signFiles,
  signPrepared,
  signedContainer,
  textFile,
  SIGNING_TIME,
  type TestSigner,
} from './helpers.js';
import { buildZip } from './zip-builder.js';

const FILES = [
  textFile('test.txt', 'Tere maailm!\n'),
  textFile('Faili nimi + õ.txt', 'special name'),
  { name: 'data/empty.bin', mediaType: 'application/octet-stream', content: new Uint8Array(0) },
];

/** Every entry of a ZIP, in order, for rebuilding it with changes. */
async function entriesOf(zip: Buffer): Promise<Array<{ name: string; data: Buffer }>> {
  const reader = await ZipReader.open(zip);
  try {
    const out = [];
    for (const e of reader.entries) out.push({ name: e.name, data: await reader.readBytes(e, 1 << 26) });
    return out;
  } finally {
    reader.close();
  }
}

async function rebuilt(
  zip: Buffer,
  edit: (entries: Array<{ name: string; data: Buffer }>) => void,
): Promise<Buffer> {
  const entries = await entriesOf(zip);
  edit(entries);
  return buildZip(entries);
}

function editEntry(name: string, change: (text: string) => string) {
  return (entries: Array<{ name: string; data: Buffer }>): void => {
    const entry = entries.find((e) => e.name === name)!;
    const before = entry.data.toString('utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    entry.data = Buffer.from(after, 'utf8');
  };
}

function codes(result: ContainerValidationResult): string[] {
  return [...result.containerFindings, ...result.signatures.flatMap((s) => s.findings)].map((f) => f.code);
}

/** PKI checks that raise nothing: lets these tests see the verdict this layer alone reaches. */
const NO_PKI_OBJECTIONS: PkiChecks = {
  checkSignature: async () => ({ findings: [] }),
  checkContainerTimeStamp: async () => ({ findings: [] }),
};

let signer: TestSigner;
let container: Buffer;

beforeAll(async () => {
  signer = await makeSigner();
  container = await signedContainer(signer, FILES);
});

describe('signing round trip (P-384, self-signed)', () => {
  it('validates with every core check passing; only the PKI checks are left open', async () => {
    const r = await validateContainer(container);
    expect(r.format).toBe('ASiC-E');
    expect(r.verdict).toBe('INDETERMINATE');
    expect(r.complete).toBe(false);
    expect(r.signatures).toHaveLength(1);
    const sig = r.signatures[0]!;
    expect(sig.pkiChecked).toBe(false);
    expect(sig.hasWarnings).toBe(false);
    expect(sig.level).toBe('LT');
    expect(sig.findings.map((f) => f.code)).toEqual(['PKI_CHECKS_NOT_PERFORMED']);
    expect([...sig.signedFiles].sort()).toEqual(FILES.map((f) => f.name).sort());
    expect(sig.signer).toBe('CN=TAMM\\,MARI\\,38001085718,O=riik test,C=EE');
    expect(r.containerFindings.map((f) => f.code)).toEqual(['EMPTY_DATA_FILE']);
  });

  it('is B level until time-stamped, and T without revocation values: UNSUPPORTED, like DigiDoc', async () => {
    const b = await validateContainer(await signedContainer(signer, FILES, { bLevel: true }), {
      pki: NO_PKI_OBJECTIONS,
    });
    expect(b.signatures[0]!.level).toBe('B');
    expect(b.verdict).toBe('UNSUPPORTED');
    expect(codes(b)).toContain('SIGNATURE_LEVEL_B');
  });

  it('with unsigned LT properties added the signature stays intact and reaches VALID when PKI raises nothing', async () => {
    const entries = await entriesOf(await signedContainer(signer, FILES, { bLevel: true }));
    const sigEntry = entries.find((e) => e.name === 'META-INF/signatures0.xml')!;
    expect(signatureTimeStampData(sigEntry.data).toString()).toMatch(/^<ds:SignatureValue xmlns:ds=/);
    sigEntry.data = addUnsignedProperties(sigEntry.data, {
      signatureTimeStamp: { token: Buffer.from('placeholder token') },
      certificateValues: [signer.certificate],
      ocspResponses: [Buffer.from('placeholder ocsp')],
    });
    const lt = buildZip(entries);
    const r = await validateContainer(lt, { pki: NO_PKI_OBJECTIONS });
    expect(r.signatures[0]!.level).toBe('LT');
    expect(r.verdict).toBe('VALID');
    expect(r.hasWarnings).toBe(true); // the empty data file
    const pending = await validateContainer(lt);
    expect(pending.verdict).toBe('INDETERMINATE');
    expect(codes(pending)).toContain('PKI_CHECKS_NOT_PERFORMED');
  });

  it('hands the PKI checks the certificate, tokens and the octets each time-stamp covers', async () => {
    const entries = await entriesOf(await signedContainer(signer, FILES, { bLevel: true }));
    const sigEntry = entries.find((e) => e.name === 'META-INF/signatures0.xml')!;
    const covered = signatureTimeStampData(sigEntry.data);
    sigEntry.data = addUnsignedProperties(sigEntry.data, {
      signatureTimeStamp: { token: Buffer.from('TST') },
      ocspResponses: [Buffer.from('OCSP')],
    });
    let seen: Parameters<PkiChecks['checkSignature']>[0] | undefined;
    const r = await validateContainer(buildZip(entries), {
      pki: {
        checkSignature: async (input) => {
          seen = input;
          return { findings: [{ code: 'PKI_TEST_REVOKED', severity: 'invalid', message: 'revoked (test)' }] };
        },
        checkContainerTimeStamp: async () => ({ findings: [] }),
      },
      now: () => new Date('2026-02-01T00:00:00Z'),
    });
    expect(r.verdict).toBe('INVALID');
    expect(seen!.signatureValueVerified).toBe(true);
    expect(Buffer.from(seen!.signingCertificate.der).equals(Buffer.from(signer.certificate))).toBe(true);
    expect(Buffer.from(seen!.ocspResponses[0]!).toString()).toBe('OCSP');
    const ts = seen!.signatureTimeStamps[0]!;
    expect(Buffer.from(ts.token).toString()).toBe('TST');
    const { createHash } = await import('node:crypto');
    expect(
      Buffer.from(await ts.timeStamped!.digest('sha256')).equals(
        createHash('sha256').update(covered).digest(),
      ),
    ).toBe(true);
  });

  it('signs with RSA and P-256 keys as well', async () => {
    for (const alg of ['RSA', 'P-256'] as const) {
      const other = await makeSigner('RSA OR P256', alg);
      const r = await validateContainer(await signedContainer(other, [textFile('a.txt', alg)]));
      expect(
        r.signatures[0]!.findings.map((f) => f.code),
        alg,
      ).toEqual(['PKI_CHECKS_NOT_PERFORMED']);
    }
  });
});

describe('tampering is detected', () => {
  it('a changed data file: REFERENCE_DIGEST_MISMATCH, INVALID', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('test.txt', (t) => t + '!'),
      ),
    );
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('REFERENCE_DIGEST_MISMATCH');
  });

  it('a changed signed property: SIGNED_PROPERTIES_DIGEST_MISMATCH, INVALID', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) =>
          t.replace('2026-01-15T10:00:00Z', '2026-01-14T10:00:00Z'),
        ),
      ),
    );
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('SIGNED_PROPERTIES_DIGEST_MISMATCH');
  });

  it('a changed SignedInfo or SignatureValue: SIGNATURE_VALUE_INVALID, INVALID', async () => {
    const sigInfo = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) => t.replace('Id="r-id-', 'Id="x-id-')),
      ),
    );
    expect(codes(sigInfo)).toContain('SIGNATURE_VALUE_INVALID');
    const value = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) =>
          t.replace(
            /(<ds:SignatureValue[^>]*>)(.)/,
            (_m, open: string, c: string) => open + (c === 'A' ? 'B' : 'A'),
          ),
        ),
      ),
    );
    expect(value.verdict).toBe('INVALID');
    expect(codes(value)).toContain('SIGNATURE_VALUE_INVALID');
  });

  it('a certificate swapped into KeyInfo is not used; the signed SigningCertificate digest decides', async () => {
    const mallory = await makeSigner('MALLORY');
    const swap = (t: string): string =>
      t.replace(
        /<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/,
        `<ds:X509Certificate>${Buffer.from(mallory.certificate).toString('base64')}</ds:X509Certificate>`,
      );
    // the genuine certificate is still in CertificateValues: it is found there, and the signature verifies
    const swapped = await validateContainer(
      await rebuilt(container, editEntry('META-INF/signatures0.xml', swap)),
    );
    expect(swapped.signatures[0]!.signer).toContain('TAMM');
    expect(swapped.signatures[0]!.findings.map((f) => f.code)).toEqual(['PKI_CHECKS_NOT_PERFORMED']);
    // without it, no certificate the signature carries matches: INDETERMINATE, never "verified" with Mallory's key
    const dropValues = (t: string): string =>
      swap(t).replace(/<xades:CertificateValues>.*?<\/xades:CertificateValues>/, '');
    const r = await validateContainer(
      await rebuilt(container, editEntry('META-INF/signatures0.xml', dropValues)),
    );
    expect(r.verdict).toBe('INDETERMINATE');
    expect(codes(r)).toContain('SIGNING_CERTIFICATE_NOT_FOUND');
    expect(codes(r)).not.toContain('PKI_CHECKS_NOT_PERFORMED');
    expect(r.signatures[0]!.signer).toBeUndefined();
  });

  it('a signature made by another key over the same SignedInfo fails (key substitution)', async () => {
    const mallory = await makeSigner('MALLORY');
    const digest = await signFiles(signer, FILES); // a genuine signature file ...
    const forged = digest.toString().replace(/<ds:SignatureValue([^>]*)>[^<]*</, (_m, attrs: string) => {
      const value = Buffer.alloc(96, 1).toString('base64'); // ... with another key's r||s
      return `<ds:SignatureValue${attrs}>${value}<`;
    });
    void mallory;
    const r = await validateContainer(
      await rebuilt(container, (entries) => {
        entries.find((e) => e.name === 'META-INF/signatures0.xml')!.data = Buffer.from(forged);
      }),
    );
    expect(codes(r)).toContain('SIGNATURE_VALUE_INVALID');
  });

  it('a renamed data file: the reference is not found and the container is INVALID', async () => {
    const r = await validateContainer(
      await rebuilt(container, (entries) => {
        entries.find((e) => e.name === 'test.txt')!.name = 'renamed.txt';
      }),
    );
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'MANIFEST_FILE_MISSING',
        'DATA_FILE_NOT_IN_MANIFEST',
        'DATA_FILE_NOT_SIGNED',
        'SIGNED_DATA_NOT_FOUND',
      ]),
    );
  });

  it('a signature with its data references removed covers nothing: every file is unsigned', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) =>
          t.replace(/<ds:Reference Id="r-[\s\S]*?<\/ds:Reference>/g, ''),
        ),
      ),
    );
    expect(r.verdict).toBe('INVALID');
    expect(r.containerFindings.filter((f) => f.code === 'DATA_FILE_NOT_SIGNED')).toHaveLength(FILES.length);
  });

  it('an added unsigned file (listed in the manifest or not) makes the container INVALID', async () => {
    const extra = await validateContainer(
      await rebuilt(container, (entries) => entries.push({ name: 'extra.txt', data: Buffer.from('sneaky') })),
    );
    expect(extra.verdict).toBe('INVALID');
    expect(codes(extra)).toEqual(
      expect.arrayContaining(['DATA_FILE_NOT_IN_MANIFEST', 'DATA_FILE_NOT_SIGNED']),
    );
    const listed = await validateContainer(
      await rebuilt(container, (entries) => {
        entries.push({ name: 'extra.txt', data: Buffer.from('sneaky') });
        editEntry('META-INF/manifest.xml', (t) =>
          t.replace(
            '</manifest:manifest>',
            '<manifest:file-entry manifest:full-path="extra.txt" manifest:media-type="text/plain"/></manifest:manifest>',
          ),
        )(entries);
      }),
    );
    expect(codes(listed)).toEqual(
      expect.arrayContaining(['MANIFEST_FILE_NOT_SIGNED', 'DATA_FILE_NOT_SIGNED']),
    );
  });

  it('a manifest media type that disagrees with the signature, or a missing manifest, is INVALID', async () => {
    const mime = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/manifest.xml', (t) =>
          t.replace(
            '"test.txt" manifest:media-type="text/plain"',
            '"test.txt" manifest:media-type="text/html"',
          ),
        ),
      ),
    );
    expect(codes(mime)).toContain('MANIFEST_MEDIA_TYPE_MISMATCH');
    const none = await validateContainer(
      await rebuilt(container, (entries) =>
        entries.splice(
          entries.findIndex((e) => e.name === 'META-INF/manifest.xml'),
          1,
        ),
      ),
    );
    expect(none.verdict).toBe('INVALID');
    expect(codes(none)).toContain('MANIFEST_MISSING');
  });

  it('signature wrapping: a twin SignedProperties with the same Id is refused', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) => {
          const sp = /<xades:SignedProperties[\s\S]*?<\/xades:SignedProperties>/.exec(t)![0];
          const evil = sp.replace('2026-01-15T10:00:00Z', '2020-01-01T00:00:00Z');
          return t.replace(
            '</ds:Signature>',
            `<ds:Object><xades:QualifyingProperties>${evil}</xades:QualifyingProperties></ds:Object></ds:Signature>`,
          );
        }),
      ),
    );
    expect(r.verdict).toBe('OPEN_ERROR'); // two QualifyingProperties in one signature cannot be parsed
    const twin = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) => {
          const id = /<xades:SignedProperties Id="([^"]+)"/.exec(t)![1]!;
          return t.replace('</ds:Signature>', `<ds:Object><holder Id="${id}"/></ds:Object></ds:Signature>`);
        }),
      ),
    );
    expect(codes(twin)).toContain('DUPLICATE_ID');
    expect(twin.verdict).toBe('INVALID');
  });

  it('a SignedProperties reference pointing elsewhere is refused', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) =>
          t
            .replace(/URI="#xades-[^"]+"/, 'URI="#elsewhere"')
            .replace('<ds:KeyInfo>', '<ds:KeyInfo Id="elsewhere">'),
        ),
      ),
    );
    expect(codes(r)).toContain('SIGNED_PROPERTIES_REFERENCE_MISMATCH');
    expect(r.verdict).toBe('INVALID');
  });

  it('transforms on data references are not allowed', async () => {
    const r = await validateContainer(
      await rebuilt(
        container,
        editEntry('META-INF/signatures0.xml', (t) =>
          t.replace(
            /(<ds:Reference Id="r-[^"]+-1" URI="[^"]+">)/,
            '$1<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/></ds:Transforms>',
          ),
        ),
      ),
    );
    expect(codes(r)).toContain('TRANSFORM_NOT_ALLOWED');
  });
});

describe('two-phase signing API', () => {
  it('refuses a signature value that does not verify', async () => {
    const prepared = prepareSignature({
      dataFiles: [{ name: 'a.txt', mediaType: 'text/plain', digest: new Uint8Array(32) }],
      signingCertificate: signer.certificate,
      signingTime: SIGNING_TIME,
    });
    const mallory = await makeSigner('MALLORY');
    expect(() => finalizeSignature(prepared, signPrepared(prepared, mallory.privateKey))).toThrow(
      expect.objectContaining({ code: 'SIGNING_BAD_SIGNATURE_VALUE' }),
    );
    expect(() => finalizeSignature(prepared, new Uint8Array(96))).toThrow(AsiceError);
    const tampered = { ...prepared, xml: prepared.xml.replace('text/plain', 'text/html') };
    expect(() => finalizeSignature(tampered, signPrepared(prepared, signer.privateKey))).toThrow(
      expect.objectContaining({ code: 'SIGNING_BAD_INPUT' }),
    );
  });

  it('is deterministic for injected randomness and time, and survives a JSON round trip', async () => {
    const options = {
      dataFiles: [{ name: 'a.txt', mediaType: 'text/plain', digest: new Uint8Array(32).fill(7) }],
      signingCertificate: signer.certificate,
      signingTime: SIGNING_TIME,
      random: (n: number) => new Uint8Array(n).fill(0xab),
      productionPlace: { city: 'Tallinn', countryName: 'EE' },
      signerRoles: ['<Juhataja> & co'],
    };
    const a = prepareSignature(options);
    const b = JSON.parse(JSON.stringify(prepareSignature(options))) as typeof a;
    expect(b).toEqual(a);
    expect(a.signatureId).toBe(`id-${'ab'.repeat(16)}`);
    expect(a.signatureMethod).toBe('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384');
    expect(a.xml).toContain('<xades:ClaimedRole>&lt;Juhataja&gt; &amp; co</xades:ClaimedRole>');
    const signed = finalizeSignature(b, signPrepared(b, signer.privateKey));
    expect(signed.toString()).toContain('<xades:City>Tallinn</xades:City>');
  });

  it('checks its input', () => {
    const base = { signingCertificate: signer.certificate, signingTime: SIGNING_TIME };
    expect(() => prepareSignature({ ...base, dataFiles: [] })).toThrow(
      expect.objectContaining({ code: 'SIGNING_BAD_INPUT' }),
    );
    expect(() =>
      prepareSignature({ ...base, dataFiles: [{ name: 'a', mediaType: 'x', digest: new Uint8Array(20) }] }),
    ).toThrow(expect.objectContaining({ code: 'SIGNING_BAD_INPUT' }));
    expect(() =>
      prepareSignature({
        ...base,
        signingCertificate: new Uint8Array([1, 2, 3]),
        dataFiles: [{ name: 'a', mediaType: 'x', digest: new Uint8Array(32) }],
      }),
    ).toThrow(expect.objectContaining({ code: 'SIGNING_BAD_INPUT' }));
  });
});

describe('adding a signature', () => {
  it('leaves existing signatures byte-identical and both validate', async () => {
    const second = await makeSigner('KASK,JAAN,38002020000');
    const signature = await signFiles(second, FILES);
    const out = await collect((sink) => addSignature(container, sink, signature, { mtime: SIGNING_TIME }));
    const before = await entriesOf(container);
    const after = await entriesOf(out);
    expect(after.map((e) => e.name)).toEqual([...before.map((e) => e.name), 'META-INF/signatures1.xml']);
    for (const e of before)
      expect(after.find((a) => a.name === e.name)!.data.equals(e.data), e.name).toBe(true);
    expect(after.at(-1)!.data.equals(signature)).toBe(true);
    const r = await validateContainer(out);
    expect(r.signatures.map((s) => s.findings.map((f) => f.code))).toEqual([
      ['PKI_CHECKS_NOT_PERFORMED'],
      ['PKI_CHECKS_NOT_PERFORMED'],
    ]);
    expect(r.containerFindings.map((f) => f.code)).toEqual(['EMPTY_DATA_FILE']);
    const opened = await openContainer(out);
    try {
      expect(opened.zip.entries[0]!.name).toBe('mimetype');
      expect(opened.notices).toEqual([]);
    } finally {
      opened.close();
    }
  });

  it('refuses a signature that does not cover exactly the container files', async () => {
    const partial = await signFiles(signer, [FILES[0]!]);
    await expect(
      collect((sink) => addSignature(container, sink, partial, { mtime: SIGNING_TIME })),
    ).rejects.toMatchObject({
      code: 'SIGNING_BAD_INPUT',
    });
  });
});
