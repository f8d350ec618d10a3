import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, openssl, tempDir, writeFiles } from '@riik/testing';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  buildCsr,
  buildName,
  Certificate,
  DOCUMENT_POLICY,
  documentTypeOfPolicies,
  OID,
  parseCsr,
} from '../src/index.js';
import { createTestPki, type TestPki } from './fixtures.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
const dir = tempDir();
let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki(clock.now);
});
afterAll(() => dir.remove());

describe('certificate profiles', () => {
  it('issues ID-card auth and sign certificates as ESTEID2018 does', async () => {
    const { auth, sign } = await pki.person();
    expect(auth.subjectValues(OID.commonName)).toEqual(['JÕEORG,JAAK-KRISTJAN,38001085718']);
    expect(auth.subjectValues(OID.serialNumber)).toEqual(['PNOEE-38001085718']);
    expect(auth.subjectValues(OID.givenName)).toEqual(['JAAK-KRISTJAN']);
    expect(auth.keyUsage).toEqual(['digitalSignature', 'keyAgreement']);
    expect(auth.extendedKeyUsage).toEqual([OID.kpClientAuth, OID.kpEmailProtection]);
    expect(auth.policies).toContain(DOCUMENT_POLICY['id-card'].auth);
    expect(auth.ocspUrls).toEqual(['http://127.0.0.1:1/ocsp']);
    expect(auth.crlUrls).toEqual(['http://127.0.0.1:1/crl/esteid.crl']);
    expect(auth.emailAddresses).toEqual(['38001085718@eesti.ee']);
    expect(sign.keyUsage).toEqual(['nonRepudiation']);
    expect(sign.qcStatements).toEqual([OID.qcsQcCompliance, OID.qcsQcSSCD, OID.qcsQcType]);
    expect(sign.qcTypes).toEqual([OID.qctEsign]);
    expect(sign.policies).toEqual([DOCUMENT_POLICY['id-card'].sign, OID.policyQcpNQscd]);
    expect(sign.signatureAlgorithm).toBe(OID.ecdsaWithSHA512);
    expect(sign.serialHex).toMatch(/^[0-7][0-9a-f]{31}$/);
  });

  it('distinguishes the document types by policy', async () => {
    for (const type of ['id-card', 'digi-id', 'e-resident'] as const) {
      const { auth, sign } = await pki.person({ documentType: type });
      expect(documentTypeOfPolicies(auth.policies)).toBe(type);
      expect(documentTypeOfPolicies(sign.policies)).toBe(type);
    }
  });

  it('is accepted by openssl verify and printed as expected by openssl x509', async () => {
    const { auth, sign } = await pki.person();
    const f = writeFiles(dir.path, {
      'root.pem': pki.root.certificate.toPem(),
      'ca.pem': pki.ca.certificate.toPem(),
      'auth.pem': auth.toPem(),
      'sign.pem': sign.toPem(),
    });
    const at = String(Math.floor(clock.now().getTime() / 1000) + 60);
    for (const [leaf, purpose] of [
      [f['auth.pem']!, 'sslclient'],
      [f['sign.pem']!, 'any'],
    ] as const) {
      const r = await openssl([
        'verify',
        '-attime',
        at,
        '-CAfile',
        f['root.pem']!,
        '-untrusted',
        f['ca.pem']!,
        '-purpose',
        purpose,
        leaf,
      ]);
      expect(r.out).toContain(': OK');
      expect(r.status).toBe(0);
    }
    const text = (await openssl(['x509', '-in', f['sign.pem']!, '-noout', '-text'])).out;
    expect(text).toMatch(/Key Usage: critical\s+Non Repudiation/);
    expect(text).toContain('1.3.6.1.4.1.51361.1.1.1');
    const authText = (await openssl(['x509', '-in', f['auth.pem']!, '-noout', '-text'])).out;
    expect(authText).toMatch(
      /Extended Key Usage: critical\s+TLS Web Client Authentication, E-mail Protection/,
    );
    expect(authText).toContain('OCSP - URI:http://127.0.0.1:1/ocsp');
    const rootText = (await openssl(['x509', '-in', f['root.pem']!, '-noout', '-text'])).out;
    expect(rootText).toMatch(/CA:TRUE, pathlen:1/);
  });

  it('refuses invalid subjects with coded errors', async () => {
    const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const { personAuthProfile } = await import('../src/index.js');
    expect(() =>
      personAuthProfile({ idCode: '38001085719', givenName: 'A', surname: 'B', documentType: 'id-card' }),
    ).toThrow(expect.objectContaining({ code: 'BAD_CHECKSUM' }));
    expect(() =>
      personAuthProfile({
        idCode: '38001085718',
        givenName: 'A,CN=evil',
        surname: 'B',
        documentType: 'id-card',
      }),
    ).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    void key;
  });
});

describe('CSR', () => {
  it('round-trips and is accepted by openssl req -verify', async () => {
    const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const der = await buildCsr(key, buildName({ CN: 'test' }));
    const parsed = parseCsr(der);
    expect(Certificate.spkiBits(parsed.subjectPublicKeyInfo).length).toBe(97);
    const f = writeFiles(dir.path, { 'req.der': der });
    expect((await openssl(['req', '-inform', 'DER', '-in', f['req.der']!, '-verify', '-noout'])).out).toMatch(
      /verif(y OK|ication OK)/i,
    );
  });
  it('rejects a CSR whose signature does not match and garbage', async () => {
    const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const der = await buildCsr(key);
    const tampered = new Uint8Array(der);
    tampered[tampered.length - 5]! ^= 0x01;
    expect(() => parseCsr(tampered)).toThrow(expect.objectContaining({ code: 'BAD_CSR' }));
    expect(() => parseCsr(der.subarray(0, 40))).toThrow(expect.objectContaining({ code: 'BAD_CSR' }));
    expect(() => parseCsr('not pem')).toThrow(expect.objectContaining({ code: 'BAD_CSR' }));
  });
});

describe('hostile certificate input', () => {
  it('rejects truncated, garbage and trailing-byte DER with MALFORMED_DER', async () => {
    const { auth } = await pki.person();
    const cases = [
      auth.der.subarray(0, 10),
      auth.der.subarray(0, auth.der.length - 1),
      new Uint8Array([...auth.der, 0]),
      new Uint8Array(500).fill(0x30),
      new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x30, 0x80, 0, 0]),
      new Uint8Array(),
    ];
    for (const der of cases)
      expect(() => Certificate.fromDer(der)).toThrow(expect.objectContaining({ code: 'MALFORMED_DER' }));
    expect(() =>
      Certificate.fromPem('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----'),
    ).toThrow();
  });
});
