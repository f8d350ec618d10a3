/**
 * XAdES-BASELINE-LT round trips on riik's own PKI (root, ESTEID-style CA with a delegated OCSP
 * responder, TSA): sign, validate with the PKI checks, tamper with each part and get the code the
 * validators give; revoked and suspended certificates, OCSP timing and nonces.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@riik/testing';
import {
  addDataFiles,
  addSignature,
  createSignature,
  PkiValidator,
  TrustStore,
  validateContainer,
  writeContainer,
  type ContainerValidationResult,
  type DataFileInput,
} from '../src/index.js';
import { collect, textFile } from './helpers.js';
import { createTestPki, type Person, type TestPki } from './pki-fixture.js';

const clock = new FakeClock('2026-01-15T10:00:00Z');
let pki: TestPki;
let mari: Person;
let validator: PkiValidator;

const files: DataFileInput[] = [
  textFile('leping.txt', 'Müüja ja ostja lepivad kokku.\n'),
  { name: 'lisa/tabel.csv', mediaType: 'text/csv', content: Buffer.from('a,b\n1,2\n') },
];

async function sign(person: Person = mari, extra: { digest?: 'sha1' | 'sha256' } = {}): Promise<Buffer> {
  const signature = await createSignature({
    dataFiles: files,
    signingCertificate: person.certificate,
    signDigest: person.signDigest,
    lt: { timeStamp: pki.timeStamp, ocsp: pki.ocsp, trust: pki.trust, certificates: [pki.ca.certificate] },
    now: clock.now,
    productionPlace: { city: 'Tallinn', countryName: 'EE' },
    signerRoles: ['juhatuse liige'],
    ...extra,
  });
  return signature.file;
}

const container = (signature: Uint8Array, dataFiles = files): Promise<Buffer> =>
  collect((sink) => writeContainer(sink, { dataFiles, signatures: [signature], mtime: clock.now() }));

const validate = (bytes: Uint8Array, now?: Date): Promise<ContainerValidationResult> =>
  validateContainer(bytes, { pki: validator, ...(now ? { now: () => now } : {}) });

const codes = (r: ContainerValidationResult): string[] => [
  ...r.containerFindings.map((f) => f.code),
  ...r.signatures.flatMap((s) => s.findings.map((f) => f.code)),
];

/** The signature file with its one EncapsulatedOCSPValue replaced. */
function withOcsp(signature: Buffer, ocsp: Uint8Array): Buffer {
  const xml = signature.toString('utf8');
  const replaced = xml.replace(
    /(<xades:EncapsulatedOCSPValue>)[^<]*(<\/xades:EncapsulatedOCSPValue>)/,
    `$1${Buffer.from(ocsp).toString('base64')}$2`,
  );
  expect(replaced).not.toBe(xml);
  return Buffer.from(replaced, 'utf8');
}

/** A fresh OCSP response for `person` from the fixture responder (statuses and clock as set). */
async function ocspFor(person: Person): Promise<Uint8Array> {
  const { buildOcspRequest } = await import('@riik/pki');
  return pki.ocsp(buildOcspRequest(person.certificate, pki.ca.certificate, { nonce: true }).der);
}

beforeAll(async () => {
  pki = await createTestPki(clock.now);
  mari = await pki.person();
  validator = new PkiValidator(pki.trust);
});

describe('LT signatures on riik PKI', () => {
  it('signs and validates: VALID, best-signature-time from the time-stamp, no findings', async () => {
    const signature = await sign();
    const r = await validate(await container(signature));
    expect(r.verdict).toBe('VALID');
    expect(codes(r)).toEqual([]);
    expect(r.signatures[0]).toMatchObject({ level: 'LT', indication: 'VALID', pkiChecked: true });
    expect(r.signatures[0]?.bestSignatureTime?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(r.signatures[0]?.signer).toContain('PNOEE-38001085718');
  });

  it('stays VALID long after every certificate expired (validation at the best-signature-time)', async () => {
    const r = await validate(await container(await sign()), new Date('2045-01-01T00:00:00Z'));
    expect(r.verdict).toBe('VALID');
  });

  it('adds a second signature without touching the first; both VALID', async () => {
    const first = await container(await sign());
    const jaan = await pki.person('37605030299');
    const second = await createSignature({
      dataFiles: files,
      signingCertificate: jaan.certificate,
      signDigest: jaan.signDigest,
      lt: { timeStamp: pki.timeStamp, ocsp: pki.ocsp, trust: pki.trust, certificates: [pki.ca.certificate] },
      now: clock.now,
    });
    const both = await collect((sink) => addSignature(first, sink, second.file, { mtime: clock.now() }));
    const r = await validate(both);
    expect(r.verdict).toBe('VALID');
    expect(r.signatures).toHaveLength(2);
    expect(r.signatures.map((s) => s.file)).toEqual(['META-INF/signatures0.xml', 'META-INF/signatures1.xml']);
    // and data files can no longer be added
    await expect(
      collect((sink) => addDataFiles(both, sink, [textFile('uus.txt', 'x')], { mtime: clock.now() })),
    ).rejects.toMatchObject({ code: 'CONTAINER_SIGNED' });
  });

  it('flags a weak data-file digest (SHA-1) as a warning', async () => {
    const r = await validate(await container(await sign(mari, { digest: 'sha1' })));
    expect(r.verdict).toBe('VALID');
    expect(r.hasWarnings).toBe(true);
    expect(codes(r)).toContain('WEAK_ALGORITHM');
  });
});

describe('tampering', () => {
  let signature: Buffer;
  beforeAll(async () => {
    signature = await sign();
  });
  const replaceIn = (pattern: RegExp, by: string) => {
    const xml = signature.toString('utf8');
    const out = xml.replace(pattern, by);
    expect(out).not.toBe(xml);
    return Buffer.from(out, 'utf8');
  };

  it('data file → REFERENCE_DIGEST_MISMATCH (INVALID)', async () => {
    const changed = [textFile('leping.txt', 'Müüja ja ostja ei lepi kokku.\n'), files[1]!];
    const r = await validate(await container(signature, changed));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('REFERENCE_DIGEST_MISMATCH');
  });

  it('manifest → MANIFEST_MEDIA_TYPE_MISMATCH (INVALID)', async () => {
    const changed = [files[0]!, { ...files[1]!, mediaType: 'application/octet-stream' }];
    const r = await validate(await container(signature, changed));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('MANIFEST_MEDIA_TYPE_MISMATCH');
  });

  it('signed properties → SIGNED_PROPERTIES_DIGEST_MISMATCH (INVALID)', async () => {
    const r = await validate(await container(replaceIn(/Tallinn/, 'Tartu')));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('SIGNED_PROPERTIES_DIGEST_MISMATCH');
  });

  it('signature value → SIGNATURE_VALUE_INVALID and the time-stamp no longer matches (INVALID)', async () => {
    const xml = signature.toString('utf8');
    const value = /<ds:SignatureValue[^>]*>([^<]*)</.exec(xml)![1]!;
    const bytes = Buffer.from(value, 'base64');
    bytes[10]! ^= 1;
    const tampered = Buffer.from(xml.replace(value, bytes.toString('base64')), 'utf8');
    const t = await validate(await container(tampered));
    expect(t.verdict).toBe('INVALID');
    expect(codes(t)).toEqual(
      expect.arrayContaining(['SIGNATURE_VALUE_INVALID', 'TIMESTAMP_IMPRINT_MISMATCH']),
    );
  });

  it('time-stamp token → TIMESTAMP_SIGNATURE_INVALID or TIMESTAMP_MALFORMED (INVALID)', async () => {
    const xml = signature.toString('utf8');
    const token = /<xades:EncapsulatedTimeStamp>([^<]*)</.exec(xml)![1]!;
    const bytes = Buffer.from(token, 'base64');
    bytes[bytes.length - 5]! ^= 0x55; // inside the signature value at the end of the SignerInfo
    const r = await validate(await container(Buffer.from(xml.replace(token, bytes.toString('base64')))));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('TIMESTAMP_SIGNATURE_INVALID');
    // a token over other data
    const other = await pki.timeStamp({ hash: 'SHA-256', hashedMessage: new Uint8Array(32).fill(1) });
    const r2 = await validate(
      await container(Buffer.from(xml.replace(token, Buffer.from(other).toString('base64')))),
    );
    expect(r2.verdict).toBe('INVALID');
    expect(codes(r2)).toContain('TIMESTAMP_IMPRINT_MISMATCH');
  });

  it('OCSP response → OCSP_SIGNATURE_INVALID (INVALID) or OCSP_MISSING (INDETERMINATE)', async () => {
    const xml = signature.toString('utf8');
    const ocsp = Buffer.from(/<xades:EncapsulatedOCSPValue>([^<]*)</.exec(xml)![1]!, 'base64');
    // flip a byte of producedAt's digits inside the signed ResponseData
    const at = ocsp.indexOf(Buffer.from('20260115', 'ascii'));
    ocsp[at + 7] = 0x36; // ...16
    const r = await validate(await container(withOcsp(signature, ocsp)));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toContain('OCSP_SIGNATURE_INVALID');
    const jaan = await pki.person('37605030299');
    const r2 = await validate(await container(withOcsp(signature, await ocspFor(jaan))));
    expect(r2.verdict).toBe('INDETERMINATE');
    expect(codes(r2)).toEqual(['OCSP_MISSING']);
  });

  it('certificate swap in KeyInfo → SIGNING_CERTIFICATE_NOT_FOUND (INDETERMINATE)', async () => {
    const jaan = await pki.person('37605030299');
    const r = await validate(
      await container(
        replaceIn(
          /<ds:X509Certificate>[^<]*</,
          `<ds:X509Certificate>${Buffer.from(jaan.certificate.der).toString('base64')}<`,
        ),
      ),
    );
    expect(r.verdict).toBe('INDETERMINATE');
    expect(codes(r)).toContain('SIGNING_CERTIFICATE_NOT_FOUND');
  });
});

describe('revocation and timing', () => {
  it('a revoked or suspended certificate cannot produce a signature', async () => {
    const revoked = await pki.person('48807080221');
    pki.statuses.set(revoked.certificate.serialHex, {
      status: 'revoked',
      revokedAt: new Date(clock.now().getTime() - 60_000),
      reason: 'keyCompromise',
    });
    await expect(sign(revoked)).rejects.toMatchObject({ code: 'SIGNING_CERTIFICATE_NOT_GOOD' });
    const suspended = await pki.person('49001010001');
    pki.statuses.set(suspended.certificate.serialHex, {
      status: 'revoked',
      revokedAt: new Date(clock.now().getTime() - 60_000),
      reason: 'certificateHold',
    });
    await expect(sign(suspended)).rejects.toMatchObject({ code: 'SIGNING_CERTIFICATE_NOT_GOOD' });
  });

  it('an embedded response saying revoked or suspended is INVALID', async () => {
    const person = await pki.person('38512120336');
    const signature = await sign(person);
    for (const [reason, code] of [
      ['keyCompromise', 'OCSP_STATUS_REVOKED'],
      ['certificateHold', 'OCSP_STATUS_SUSPENDED'],
    ] as const) {
      pki.statuses.set(person.certificate.serialHex, { status: 'revoked', revokedAt: clock.now(), reason });
      const r = await validate(await container(withOcsp(signature, await ocspFor(person))));
      expect(r.verdict).toBe('INVALID');
      expect(codes(r)).toContain(code);
    }
    pki.statuses.set(person.certificate.serialHex, { status: 'unknown' });
    const unknown = await validate(await container(withOcsp(signature, await ocspFor(person))));
    expect(unknown.verdict).toBe('INDETERMINATE');
    expect(codes(unknown)).toEqual(['OCSP_STATUS_UNKNOWN']);
    pki.statuses.delete(person.certificate.serialHex);
  });

  it('OCSP before the time-stamp is INVALID; 15 min after a warning; 24 h after INVALID for EE, a warning for LV', async () => {
    const at = (offsetMs: number) => () => new Date(clock.now().getTime() + offsetMs);
    const signature = await sign();
    try {
      pki.clocks.ocsp = at(-60_000);
      await expect(sign()).rejects.toMatchObject({ code: 'SIGNING_OCSP_FAILED' });
      const before = await validate(await container(withOcsp(signature, await ocspFor(mari))));
      expect(before.verdict).toBe('INVALID');
      expect(codes(before)).toEqual(['OCSP_BEFORE_TIMESTAMP']);

      pki.clocks.ocsp = at(20 * 60_000);
      const late = await validate(await container(withOcsp(signature, await ocspFor(mari))));
      expect(late.verdict).toBe('VALID');
      expect(late.hasWarnings).toBe(true);
      expect(codes(late)).toEqual(['OCSP_LATE']);

      pki.clocks.ocsp = at(25 * 3_600_000);
      const tooLate = await validate(await container(withOcsp(signature, await ocspFor(mari))));
      expect(tooLate.verdict).toBe('INVALID');
      expect(codes(tooLate)).toEqual(['OCSP_TOO_LATE']);

      pki.clocks.ocsp = clock.now;
      const latvian = await pki.person('38001085718', 'LV');
      const lvSignature = await sign(latvian);
      pki.clocks.ocsp = at(25 * 3_600_000);
      const lv = await validate(await container(withOcsp(lvSignature, await ocspFor(latvian))));
      expect(lv.verdict).toBe('VALID');
      expect(codes(lv)).toEqual(['OCSP_LATE']);
    } finally {
      pki.clocks.ocsp = clock.now;
    }
  });

  it('checks the nonce: echoed when signing; a BDOC DigestInfo nonce must match the SignatureValue', async () => {
    try {
      pki.nonce = 'drop';
      await expect(sign()).rejects.toMatchObject({ code: 'SIGNING_OCSP_FAILED' });
      pki.nonce = 'other';
      await expect(sign()).rejects.toMatchObject({ code: 'SIGNING_OCSP_FAILED' });
    } finally {
      pki.nonce = 'echo';
    }
    const signature = await sign();
    const { buildOcspResponse, parseOcspRequest, buildOcspRequest } = await import('@riik/pki');
    const request = parseOcspRequest(buildOcspRequest(mari.certificate, pki.ca.certificate).der);
    const digestInfo = (digest: Buffer) =>
      Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]);
    const response = (nonce: Uint8Array) =>
      buildOcspResponse({
        responderCertificate: pki.responder.certificate,
        signer: pki.responder.signer,
        producedAt: clock.now(),
        responses: [{ certId: request.certIds[0]!.raw, status: { status: 'good' }, thisUpdate: clock.now() }],
        nonceExtnValue: nonce,
      });
    const value = Buffer.from(/<ds:SignatureValue[^>]*>([^<]*)</.exec(signature.toString())![1]!, 'base64');
    const { createHash } = await import('node:crypto');
    const good = digestInfo(createHash('sha256').update(value).digest());
    const ok = await validate(await container(withOcsp(signature, await response(good))));
    expect(ok.verdict).toBe('VALID');
    const bad = digestInfo(createHash('sha256').update('something else').digest());
    const r = await validate(await container(withOcsp(signature, await response(bad))));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toEqual(['OCSP_NONCE_MISMATCH']);
  });

  it('without trust in riik PKI: INDETERMINATE, saying what is not trusted', async () => {
    const r = await validateContainer(await container(await sign()), {
      pki: new PkiValidator(new TrustStore([])),
    });
    expect(r.verdict).toBe('INDETERMINATE');
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'TIMESTAMP_UNTRUSTED',
        'SIGNER_CERTIFICATE_UNTRUSTED',
        'OCSP_RESPONDER_UNTRUSTED',
      ]),
    );
  });
});

describe('hostile PKI material in a signature', () => {
  it('never throws on mutated time-stamp tokens and OCSP responses, and catches the mutations that matter', async () => {
    const signature = (await sign()).toString('utf8');
    const token = /<xades:EncapsulatedTimeStamp>([^<]*)</.exec(signature)![1]!;
    const ocsp = /<xades:EncapsulatedOCSPValue>([^<]*)</.exec(signature)![1]!;
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const verdicts: string[] = [];
    for (const original of [token, ocsp]) {
      const bytes = Buffer.from(original, 'base64');
      for (let i = 0; i < 60; i++) {
        const mutated = Buffer.from(bytes);
        const kind = random(3);
        if (kind === 0) mutated[random(mutated.length)]! ^= 1 << random(8);
        else if (kind === 1) mutated[random(mutated.length)] = random(256);
        const value = kind === 2 ? mutated.subarray(0, random(mutated.length)) : mutated;
        if (value.equals(bytes) || value.length === 0) continue; // empty: an open error, not PKI input
        const xml = signature.replace(original, value.toString('base64'));
        const r = await validate(await container(Buffer.from(xml, 'utf8')));
        expect(['VALID', 'INVALID', 'INDETERMINATE'], JSON.stringify(r.error)).toContain(r.verdict);
        verdicts.push(r.verdict);
      }
    }
    // A few bytes are covered by no signature (SignedData version, its digestAlgorithms SET):
    // changing them changes nothing that matters, so an occasional VALID is right.
    expect(verdicts.filter((v) => v !== 'VALID').length).toBeGreaterThan(verdicts.length * 0.9);
  });

  it('reads garbage where certificates, tokens and responses belong as findings', async () => {
    const signature = (await sign()).toString('utf8');
    const garbage = Buffer.from('not DER at all').toString('base64');
    const xml = signature
      .replace(/(<xades:EncapsulatedTimeStamp>)[^<]*/, `$1${garbage}`)
      .replace(/(<xades:EncapsulatedOCSPValue>)[^<]*/, `$1${garbage}`)
      .replace(/(<xades:EncapsulatedX509Certificate>)[^<]*/, `$1${garbage}`);
    const r = await validate(await container(Buffer.from(xml, 'utf8')));
    expect(r.verdict).toBe('INVALID');
    expect(codes(r)).toEqual(expect.arrayContaining(['TIMESTAMP_MALFORMED', 'OCSP_MALFORMED']));
  });
});

describe('signing a new container in one pass', () => {
  it('digests the data files on their way into the ZIP and signs before it closes', async () => {
    const { writeSignedContainer, signDigests } = await import('../src/index.js');
    const bytes = await collect((sink) =>
      writeSignedContainer(sink, {
        dataFiles: files,
        mtime: clock.now(),
        sign: async (digests) => {
          expect(digests.map((d) => d.name)).toEqual(['leping.txt', 'lisa/tabel.csv']);
          const signature = await signDigests({
            dataFiles: digests,
            signingCertificate: mari.certificate,
            signDigest: mari.signDigest,
            lt: {
              timeStamp: pki.timeStamp,
              ocsp: pki.ocsp,
              trust: pki.trust,
              certificates: [pki.ca.certificate],
            },
            now: clock.now,
          });
          return [signature.file];
        },
      }),
    );
    const r = await validate(bytes);
    expect(r.verdict).toBe('VALID');
    expect(codes(r)).toEqual([]);
  });

  it('leaves nothing behind when signing fails, and reports that failure', async () => {
    const { tempDir } = await import('@riik/testing');
    const { existsSync } = await import('node:fs');
    const { writeSignedContainer, AsiceError } = await import('../src/index.js');
    const dir = tempDir('riik-one-pass-');
    try {
      const target = `${dir.path}/out.asice`;
      await expect(
        writeSignedContainer(target, {
          dataFiles: files,
          mtime: clock.now(),
          sign: () => Promise.reject(new AsiceError('SIGNING_CERTIFICATE_NOT_GOOD', 'revoked')),
        }),
      ).rejects.toMatchObject({ code: 'SIGNING_CERTIFICATE_NOT_GOOD' });
      expect(existsSync(target)).toBe(false);
      await expect(
        writeSignedContainer(target, {
          dataFiles: [
            { name: 'missing.txt', mediaType: 'text/plain', content: { path: `${dir.path}/nope` } },
          ],
          mtime: clock.now(),
          sign: () => Promise.resolve([]),
        }),
      ).rejects.toBeDefined();
      expect(existsSync(target)).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
