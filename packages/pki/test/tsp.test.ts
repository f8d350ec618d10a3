import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { TimeStampReq, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, openssl, tempDir, testDataDir, writeFiles } from '@riik/testing';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { toHex } from '@riik/core';
import {
  buildTimeStampReq,
  Certificate,
  decodeFailureInfo,
  digestOf,
  encodeFailureInfo,
  encodeOid,
  encodeSequence,
  encodeTlv,
  extensions,
  OID,
  parseTimeStampReq,
  parseTimeStampResp,
  parseTimeStampToken,
  PkiError,
  requestTimeStamp,
  serialNumberGenerator,
  spkiOf,
  TimeStampAuthority,
  TimeStampTokenSigner,
  timeStampRejection,
  tsaProfile,
  verifyTimeStampToken,
  type PkiFailureInfoName,
} from '../src/index.js';
import { createTestPki, type TestPki } from './fixtures.js';
import { unzip } from './zip.js';

const clock = new FakeClock('2026-03-01T12:00:00.250Z');
let pki: TestPki;
let tsaKey: SoftwareSigner;
let tsaCert: Certificate;
let tsa: TimeStampAuthority;
const dir = tempDir();

beforeAll(async () => {
  pki = await createTestPki(clock.now);
  tsaKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  tsaCert = await pki.ca.issue(
    tsaProfile({ commonName: 'TEST riik TSA', organisation: 'riik test' }),
    spkiOf(tsaKey.publicKey),
  );
  tsa = new TimeStampAuthority({
    signer: tsaKey,
    certificate: tsaCert,
    chain: [pki.ca.certificate],
    now: clock.now,
  });
});
afterAll(() => dir.remove());

const data = new TextEncoder().encode('riik: a document to time-stamp\n');

async function grant(der: Uint8Array) {
  const outcome = await tsa.respond(der);
  if (outcome.status !== 'granted') throw new Error(`rejected: ${outcome.reason}`);
  return outcome;
}

describe('TimeStampReq', () => {
  it('builds requests the ASN.1 library and openssl read the same way', async () => {
    const hashedMessage = digestOf('SHA-384', data);
    const req = buildTimeStampReq({ hash: 'SHA-384', hashedMessage, policy: '1.2.3.4' });
    const asn = AsnConvert.parse(req.der, TimeStampReq);
    expect(asn.version).toBe(1);
    expect(asn.messageImprint.hashAlgorithm.algorithm).toBe(OID.sha384);
    expect(asn.messageImprint.hashAlgorithm.parameters).toBeUndefined();
    expect(toHex(new Uint8Array(asn.messageImprint.hashedMessage.buffer))).toBe(toHex(hashedMessage));
    expect(asn.reqPolicy).toBe('1.2.3.4');
    expect(asn.certReq).toBe(true);
    expect(toHex(new Uint8Array(asn.nonce!))).toBe(toHex(req.nonce!));
    const files = writeFiles(dir.path, { 'q.tsq': req.der });
    const { out } = await openssl(['ts', '-query', '-in', files['q.tsq']!, '-text']);
    expect(out).toContain('Hash Algorithm: sha384');
    expect(out).toContain('Policy OID: 1.2.3.4');
    expect(out).toContain('Certificate required: yes');
    expect(out.replace(/\s/g, '')).toContain(`Nonce:0x${toHex(req.nonce!).replace(/^00/, '').toUpperCase()}`);
  });

  it('parses requests made by openssl ts -query', async () => {
    const files = writeFiles(dir.path, { 'data.txt': data });
    for (const [flag, hash] of [
      ['-sha256', 'SHA-256'],
      ['-sha512', 'SHA-512'],
    ] as const) {
      await openssl([
        'ts',
        '-query',
        '-data',
        files['data.txt']!,
        flag,
        '-cert',
        '-out',
        `${dir.path}/o.tsq`,
      ]);
      const req = parseTimeStampReq(readFileSync(`${dir.path}/o.tsq`));
      expect(req.version).toBe(1);
      expect(req.messageImprint.hash).toBe(hash);
      expect(req.messageImprint.hashedMessage).toEqual(digestOf(hash, data));
      expect(req.certReq).toBe(true);
      expect(req.nonce?.length).toBeGreaterThan(0);
      expect(req.extensions).toEqual([]);
    }
    await openssl(['ts', '-query', '-data', files['data.txt']!, '-no_nonce', '-out', `${dir.path}/n.tsq`]);
    const plain = parseTimeStampReq(readFileSync(`${dir.path}/n.tsq`));
    expect(plain.nonce).toBeUndefined();
    expect(plain.certReq).toBe(false);
  });

  it('rejects malformed requests with a coded error, never a crash', () => {
    const good = buildTimeStampReq({ hash: 'SHA-256', hashedMessage: digestOf('SHA-256', data) }).der;
    const bad: Uint8Array[] = [
      new Uint8Array(),
      new Uint8Array([0x30]),
      new Uint8Array([0x30, 0x80, 0, 0]), // indefinite length
      good.subarray(0, good.length - 1),
      Buffer.concat([good, new Uint8Array([0])]),
      new Uint8Array(10_000),
      encodeSequence([new Uint8Array([0x02, 0x01, 0x01])]), // no imprint
      encodeSequence([
        new Uint8Array([0x02, 0x01, 0x01]),
        good.subarray(5, 5 + 2 + good[6]!),
        encodeTlv(0x05, new Uint8Array()),
      ]),
    ];
    for (const der of bad) expect(() => parseTimeStampReq(der)).toThrow(PkiError);
    // A nonce that is not a minimal INTEGER, and an oversized one.
    const imprint = encodeSequence([
      encodeSequence([encodeOid(OID.sha256)]),
      encodeTlv(0x04, new Uint8Array(32)),
    ]);
    const v1 = new Uint8Array([0x02, 0x01, 0x01]);
    const withNonce = (nonce: Uint8Array) => encodeSequence([v1, imprint, encodeTlv(0x02, nonce)]);
    expect(() => parseTimeStampReq(withNonce(new Uint8Array([0, 1])))).toThrow(PkiError);
    expect(() => parseTimeStampReq(withNonce(new Uint8Array(65).fill(1)))).toThrow(PkiError);
    expect(parseTimeStampReq(withNonce(new Uint8Array([0, 0x80]))).nonce).toEqual(new Uint8Array([0, 0x80]));
    // Random mutations: every outcome is a parse or a PkiError.
    for (let i = 0; i < 2000; i++) {
      const m = Uint8Array.from(good);
      m[i % m.length] = randomBytes(1)[0]!;
      if (i % 3 === 0) m[(i * 7) % m.length]! ^= 0x80;
      try {
        parseTimeStampReq(m);
      } catch (err) {
        expect(err).toBeInstanceOf(PkiError);
      }
    }
  });
});

describe('TimeStampAuthority', () => {
  it('grants tokens that openssl ts -verify accepts, with and without certReq', async () => {
    const files = writeFiles(dir.path, {
      'doc.txt': data,
      'root.pem': pki.root.certificate.toPem(),
      'ca.pem': pki.ca.certificate.toPem(),
      'tsa+ca.pem': tsaCert.toPem() + pki.ca.certificate.toPem(),
    });
    for (const certReq of [true, false]) {
      const req = buildTimeStampReq({ hash: 'SHA-256', hashedMessage: digestOf('SHA-256', data), certReq });
      const outcome = await grant(req.der);
      const io = writeFiles(dir.path, { 'q.tsq': req.der, 'r.tsr': outcome.response });
      // With certReq the token carries the TSA and CA certificates; without, openssl needs them.
      const untrusted = certReq ? files['ca.pem']! : files['tsa+ca.pem']!;
      const verify = (input: string[]) =>
        openssl([
          'ts',
          '-verify',
          ...input,
          '-in',
          io['r.tsr']!,
          '-CAfile',
          files['root.pem']!,
          '-untrusted',
          untrusted,
        ]);
      expect((await verify(['-queryfile', io['q.tsq']!])).out).toContain('Verification: OK');
      expect((await verify(['-data', files['doc.txt']!])).out).toContain('Verification: OK');
      if (certReq) {
        const noExtra = await openssl([
          'ts',
          '-verify',
          '-data',
          files['doc.txt']!,
          '-in',
          io['r.tsr']!,
          '-CAfile',
          files['root.pem']!,
        ]);
        expect(noExtra.out).toContain('Verification: OK');
      }
      const text = (await openssl(['ts', '-reply', '-in', io['r.tsr']!, '-text'])).out;
      expect(text).toContain('Status: Granted.');
      expect(text).toContain('Policy OID: 0.4.0.2023.1.1');
      expect(text).toContain('Time stamp: Mar  1 12:00:00.25 2026 GMT');
      expect(text).toContain('Accuracy: 0x01 seconds');
      expect(text).toContain('TSA: DirName:/C=EE/O=riik test/CN=TEST riik TSA');
    }
    // A token for other data fails openssl's check too.
    writeFiles(dir.path, { 'other.txt': 'other' });
    const other = await openssl([
      'ts',
      '-verify',
      '-data',
      `${dir.path}/other.txt`,
      '-in',
      `${dir.path}/r.tsr`,
      '-CAfile',
      files['root.pem']!,
      '-untrusted',
      files['tsa+ca.pem']!,
    ]);
    expect(other.out).toContain('Verification: FAILED');
  });

  it('writes the structure RFC 3161 / RFC 5816 ask for (read with the ASN.1 library)', async () => {
    const req = buildTimeStampReq({ hash: 'SHA-512', hashedMessage: digestOf('SHA-512', data) });
    const outcome = await grant(req.der);
    const resp = AsnConvert.parse(outcome.response, TimeStampResp);
    expect(resp.status.status).toBe(0);
    const ci = AsnConvert.parse(outcome.token, ContentInfo);
    expect(ci.contentType).toBe(OID.signedData);
    const sd = AsnConvert.parse(ci.content, SignedData);
    expect(sd.version).toBe(3);
    expect(sd.encapContentInfo.eContentType).toBe(OID.ctTSTInfo);
    expect(sd.certificates?.length).toBe(2);
    expect(sd.signerInfos.length).toBe(1);
    const si = sd.signerInfos[0]!;
    expect(si.version).toBe(1);
    expect(si.digestAlgorithm.algorithm).toBe(OID.sha384);
    expect(si.signatureAlgorithm.algorithm).toBe(OID.ecdsaWithSHA384);
    expect(si.signedAttrs?.map((a) => a.attrType).sort()).toEqual(
      [OID.contentType, OID.messageDigest, OID.signingTime, OID.signingCertificateV2].sort(),
    );
    const tst = AsnConvert.parse(sd.encapContentInfo.eContent!.single!.buffer, TSTInfo);
    expect(tst.policy).toBe(OID.policyEtsiBtsp);
    expect(tst.genTime.toISOString()).toBe('2026-03-01T12:00:00.250Z');
    expect(toHex(new Uint8Array(tst.nonce!))).toBe(toHex(req.nonce!));
    // Our own parser reads the same, including the ESSCertIDv2 that names the TSA certificate.
    const token = parseTimeStampToken(outcome.token);
    expect(token.tstInfo.serialHex).toBe(outcome.serialHex);
    expect(token.signedAttributes.signingCertificate?.version).toBe(2);
    expect(token.signedAttributes.signingTime?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(token.isSignerId(tsaCert)).toBe(true);
    expect(token.isSignedBy(tsaCert)).toBe(true);
  });

  it('answers bad requests with the right PKIStatus and PKIFailureInfo', async () => {
    const imprint = (oid: string, len: number, params?: Uint8Array) =>
      encodeSequence([
        encodeSequence([encodeOid(oid), ...(params ? [params] : [])]),
        encodeTlv(0x04, new Uint8Array(len)),
      ]);
    const v = (n: number) => new Uint8Array([0x02, 0x01, n]);
    const cases: Array<[string, Uint8Array, PkiFailureInfoName]> = [
      ['garbage', new Uint8Array([1, 2, 3, 4]), 'badDataFormat'],
      [
        'truncated',
        buildTimeStampReq({ hash: 'SHA-256', hashedMessage: new Uint8Array(32) }).der.subarray(0, 20),
        'badDataFormat',
      ],
      ['SHA-1', encodeSequence([v(1), imprint(OID.sha1, 20)]), 'badAlg'],
      ['MD5', encodeSequence([v(1), imprint('1.2.840.113549.2.5', 16)]), 'badAlg'],
      ['unknown OID', encodeSequence([v(1), imprint('1.2.3.4.5', 32)]), 'badAlg'],
      [
        'odd parameters',
        encodeSequence([v(1), imprint(OID.sha256, 32, new Uint8Array([0x02, 0x01, 0x00]))]),
        'badAlg',
      ],
      ['short SHA-256', encodeSequence([v(1), imprint(OID.sha256, 31)]), 'badDataFormat'],
      ['long SHA-512', encodeSequence([v(1), imprint(OID.sha512, 65)]), 'badDataFormat'],
      ['version 2', encodeSequence([v(2), imprint(OID.sha256, 32)]), 'badRequest'],
      [
        'unknown policy',
        buildTimeStampReq({ hash: 'SHA-256', hashedMessage: new Uint8Array(32), policy: '1.2.3' }).der,
        'unacceptedPolicy',
      ],
      [
        'extension',
        encodeSequence([
          v(1),
          imprint(OID.sha256, 32),
          encodeTlv(0xa0, encodeSequence([encodeOid('1.2.3.4'), encodeTlv(0x04, new Uint8Array([5]))])),
        ]),
        'unacceptedExtension',
      ],
    ];
    for (const [name, der, failure] of cases) {
      const outcome = await tsa.respond(der);
      expect(outcome.status, name).toBe('rejection');
      const parsed = parseTimeStampResp(outcome.response);
      expect(parsed.status, name).toBe('rejection');
      expect(parsed.failInfo, name).toEqual([failure]);
      expect(parsed.token).toBeUndefined();
    }
    // openssl reads our rejections too.
    writeFiles(dir.path, { 'rej.tsr': (await tsa.respond(cases[2]![1])).response });
    const text = (await openssl(['ts', '-reply', '-in', `${dir.path}/rej.tsr`, '-text'])).out;
    expect(text).toContain('Status: Rejected.');
    expect(text).toContain('unrecognized or unsupported algorithm identifier');
    // The policy that is offered is accepted when asked for by name.
    const named = await tsa.respond(
      buildTimeStampReq({ hash: 'SHA-256', hashedMessage: new Uint8Array(32), policy: OID.policyEtsiBtsp })
        .der,
    );
    expect(named.status).toBe('granted');
  });

  it('survives hostile input: random bytes and mutated requests never throw', async () => {
    const good = buildTimeStampReq({ hash: 'SHA-256', hashedMessage: digestOf('SHA-256', data) }).der;
    for (let i = 0; i < 300; i++) {
      const m = i % 2 ? new Uint8Array(randomBytes(1 + (i % 90))) : Uint8Array.from(good);
      if (i % 2 === 0) m[i % m.length]! ^= 1 << (i % 8);
      const outcome = await tsa.respond(m);
      expect(['granted', 'rejection']).toContain(outcome.status);
      expect(() => parseTimeStampResp(outcome.response)).not.toThrow();
    }
  });

  it('gives every token a unique serial number', async () => {
    const next = serialNumberGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(toHex(next()));
    expect(seen.size).toBe(10_000);
    const other = serialNumberGenerator();
    expect(seen.has(toHex(other()))).toBe(false);
    const serials = new Set<string>();
    const req = buildTimeStampReq({ hash: 'SHA-256', hashedMessage: new Uint8Array(32) }).der;
    for (let i = 0; i < 20; i++) serials.add((await grant(req)).serialHex);
    expect(serials.size).toBe(20);
  });

  it('refuses a certificate that is not a TSA certificate, or another key', async () => {
    const other = await pki.ca.issue(
      {
        ...tsaProfile({ commonName: 'not a TSA', organisation: 'riik test' }),
        extensions: [
          extensions.keyUsage(['digitalSignature']),
          extensions.extendedKeyUsage([OID.kpTimeStamping, OID.kpClientAuth]),
        ],
      },
      spkiOf(tsaKey.publicKey),
    );
    expect(() => new TimeStampTokenSigner({ signer: tsaKey, certificate: other })).toThrow(PkiError);
    const wrongKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
    expect(() => new TimeStampTokenSigner({ signer: wrongKey, certificate: tsaCert })).toThrow(PkiError);
  });
});

describe('verifyTimeStampToken', () => {
  it('accepts a good token and names the first thing wrong with a bad one', async () => {
    const hashedMessage = digestOf('SHA-256', data);
    const req = buildTimeStampReq({ hash: 'SHA-256', hashedMessage });
    const { token } = await grant(req.der);
    const anchors = [pki.root.certificate];
    const ok = await verifyTimeStampToken(token, {
      data,
      anchors,
      nonce: req.nonce!,
      policies: [OID.policyEtsiBtsp],
    });
    expect(ok).toMatchObject({ valid: true, code: 'OK' });
    expect(ok.signer?.equals(tsaCert)).toBe(true);
    expect(ok.chain.map((c) => c.subjectString)).toEqual(
      [tsaCert, pki.ca.certificate, pki.root.certificate].map((c) => c.subjectString),
    );
    expect((await verifyTimeStampToken(token, { hashedMessage, anchors })).valid).toBe(true);

    const code = async (t: Uint8Array, extra: object = {}) =>
      (await verifyTimeStampToken(t, { data, anchors, ...extra })).code;
    expect(await code(token, { data: new Uint8Array([1]) })).toBe('IMPRINT_MISMATCH');
    expect(await code(token, { nonce: new Uint8Array([1, 2]) })).toBe('NONCE_MISMATCH');
    expect(await code(token, { policies: ['1.2.3'] })).toBe('POLICY_NOT_ACCEPTED');
    expect(await code(token, { anchors: [tsaCert.isSelfIssued ? tsaCert : pki.responder.certificate] })).toBe(
      'UNTRUSTED',
    );
    // The TSA certificate (3 years, capped by the CA) is not valid 30 years on.
    expect(await code(token, { time: new Date('2056-01-01T00:00:00Z') })).toBe('EXPIRED');
    // Tampering: a byte of genTime inside TSTInfo breaks the signed messageDigest.
    const t = parseTimeStampToken(token);
    const at = Buffer.from(token).indexOf(Buffer.from(t.tstInfo.der)) + t.tstInfo.der.length - 10;
    const tampered = Uint8Array.from(token);
    tampered[at] = tampered[at]! ^ 0x01;
    expect(['MESSAGE_DIGEST_MISMATCH', 'TOKEN_MALFORMED']).toContain(await code(tampered));
    // A flipped signature bit.
    const sigTampered = Uint8Array.from(token);
    sigTampered[sigTampered.length - 5]! ^= 0x01;
    expect(await code(sigTampered)).toBe('TOKEN_BAD_SIGNATURE');
    // Without the certificates in the token the TSA certificate must be known.
    const bare = await grant(buildTimeStampReq({ hash: 'SHA-256', hashedMessage, certReq: false }).der);
    expect(await code(bare.token)).toBe('SIGNER_CERTIFICATE_MISSING');
    expect(await code(bare.token, { tsaCertificates: [tsaCert], intermediates: [pki.ca.certificate] })).toBe(
      'OK',
    );
    expect(await code(new Uint8Array([0x30, 0x03, 1, 2, 3]))).toBe('TOKEN_MALFORMED');
  });

  it('never throws on mutated tokens and responses', async () => {
    const { token, response } = await grant(
      buildTimeStampReq({ hash: 'SHA-256', hashedMessage: digestOf('SHA-256', data) }).der,
    );
    for (let i = 0; i < 400; i++) {
      const src = i % 2 ? token : response;
      const m = Uint8Array.from(src);
      m[(i * 131) % m.length]! ^= 1 << (i % 8);
      try {
        parseTimeStampResp(m);
      } catch (err) {
        expect(err).toBeInstanceOf(PkiError);
      }
      const v = await verifyTimeStampToken(i % 2 ? m : token, { data, anchors: [pki.root.certificate] });
      expect(typeof v.code).toBe('string');
    }
  });

  describe('real tokens from SK ID Solutions DEMO TSAs (DigiDoc test containers)', () => {
    const trust = (name: string) =>
      Certificate.fromPem(readFileSync(join(testDataDir('digidoc', 'trust'), name), 'utf8'));
    const container = (name: string) => unzip(readFileSync(join(testDataDir('digidoc', 'containers'), name)));

    it('verifies an ECDSA token with ESSCertIDv2 and CMS algorithm protection (2023E)', async () => {
      const files = container('1xTST-text-data-file.asics');
      const token = files.get('META-INF/timestamp.tst')!;
      const anchors = [trust('root-TEST_of_SK_ID_Solutions_ROOT_G1E.pem')];
      const intermediates = [trust('ca-TEST_of_SK_TSA_CA_2023E.pem')];
      const result = await verifyTimeStampToken(token, {
        data: files.get('test.txt')!,
        anchors,
        intermediates,
      });
      expect(result).toMatchObject({ valid: true, code: 'OK' });
      expect(result.tstInfo?.genTime.toISOString()).toBe('2024-05-28T12:24:09.000Z');
      expect(result.signer?.subjectString).toContain('DEMO SK TIMESTAMPING AUTHORITY 2023E');
      expect(result.token?.signedAttributes.types).toContain(OID.cmsAlgorithmProtection);
      // Not trusted without the SK test root.
      expect(
        (await verifyTimeStampToken(token, { data: files.get('test.txt')!, anchors: [pki.root.certificate] }))
          .code,
      ).toBe('UNTRUSTED');
    });

    it('verifies an RSA token signed as rsaEncryption with an ESSCertID v1 (DEMO of SK TSA 2014)', async () => {
      const files = container('test.asics');
      const result = await verifyTimeStampToken(files.get('META-INF/timestamp.tst')!, {
        data: files.get('test1.txt')!,
        anchors: [trust('root-TEST_of_EE_Certification_Centre_Root_CA.pem')],
      });
      expect(result).toMatchObject({ valid: true, code: 'OK' });
      expect(result.token?.signedAttributes.signingCertificate?.version).toBe(1);
      expect(result.tstInfo?.genTime.toISOString()).toBe('2016-11-02T11:07:45.000Z');
    });

    it('reports the imprint mismatches upstream reports', async () => {
      for (const [name, dataFile] of [
        ['1xTST-valid-bdoc-data-file-hash-failure-in-tst.asics', 'valid-bdoc-tm.bdoc'],
        ['test-invalidts.asics', 'test2.txt'],
      ] as const) {
        const files = container(name);
        const anchors = [
          'root-TEST_of_SK_ID_Solutions_ROOT_G1E.pem',
          'root-TEST_of_EE_Certification_Centre_Root_CA.pem',
        ].map(trust);
        const result = await verifyTimeStampToken(files.get('META-INF/timestamp.tst')!, {
          data: files.get(dataFile)!,
          anchors,
        });
        expect(result.code, name).toBe('IMPRINT_MISMATCH');
      }
    });
  });
});

describe('failure info and the HTTP client', () => {
  it('encodes PKIFailureInfo as a DER named-bit BIT STRING', () => {
    expect(toHex(encodeFailureInfo(['badAlg']))).toBe('03020780');
    expect(toHex(encodeFailureInfo(['badRequest']))).toBe('03020520');
    expect(toHex(encodeFailureInfo(['badDataFormat']))).toBe('03020204');
    expect(toHex(encodeFailureInfo(['unacceptedPolicy']))).toBe('0303000001');
    expect(toHex(encodeFailureInfo(['systemFailure']))).toBe('030506000000' + '40');
    expect(decodeFailureInfo(encodeFailureInfo(['unacceptedExtension', 'badAlg']).subarray(2))).toEqual([
      'badAlg',
      'unacceptedExtension',
    ]);
    expect(parseTimeStampResp(timeStampRejection('timeNotAvailable', 'clock')).statusStrings).toEqual([
      'clock',
    ]);
  });

  it('requestTimeStamp posts a query and checks the reply', async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void tsa.respond(Buffer.concat(chunks)).then((o) => {
          res.writeHead(req.headers['content-type'] === 'application/timestamp-query' ? 200 : 415, {
            'content-type': 'application/timestamp-reply',
          });
          res.end(o.response);
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
    try {
      const hashedMessage = digestOf('SHA-256', data);
      const got = await requestTimeStamp(url, { hash: 'SHA-256', hashedMessage });
      expect(
        (await verifyTimeStampToken(got.token, { data, anchors: [pki.root.certificate], nonce: got.nonce! }))
          .valid,
      ).toBe(true);
      await expect(
        requestTimeStamp(url, { hash: 'SHA-256', hashedMessage, policy: '1.2.3' }),
      ).rejects.toMatchObject({
        code: 'TSP_REJECTED',
      });
      await expect(
        requestTimeStamp('http://127.0.0.1:1/tsa', { hash: 'SHA-256', hashedMessage, timeoutMs: 500 }),
      ).rejects.toMatchObject({
        code: 'TSP_TRANSPORT',
      });
    } finally {
      server.close();
    }
  });
});
