import { readFileSync } from 'node:fs';
import { ResponseData } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { FakeClock, openssl, tempDir, writeFiles } from '@riik/testing';
import {
  buildCrl,
  ocspResponderProfile,
  spkiOf,
  type ParsedOcspResponse,
  buildOcspRequest,
  buildOcspResponse,
  encodeNonce,
  ocspErrorResponse,
  parseCrl,
  parseOcspRequest,
  parseOcspResponse,
  verifyOcspResponse,
  type Certificate,
} from '../src/index.js';
import { createTestPki, type TestPki } from './fixtures.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
const dir = tempDir();
let pki: TestPki;
let leaf: Certificate;
beforeAll(async () => {
  pki = await createTestPki(() => new Date());
  leaf = (await pki.person()).auth;
});
afterAll(() => dir.remove());

async function respond(
  requestDer: Uint8Array,
  status: Parameters<typeof buildOcspResponse>[0]['responses'][0]['status'],
) {
  const req = parseOcspRequest(requestDer);
  const now = new Date();
  return buildOcspResponse({
    responderCertificate: pki.responder.certificate,
    signer: pki.responder.signer,
    producedAt: now,
    responses: req.certIds.map((c) => ({
      certId: c.raw,
      status,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3600_000),
    })),
    ...(req.nonceExtnValue ? { nonceExtnValue: req.nonceExtnValue } : {}),
  });
}

describe('OCSP request codec', () => {
  it('parses requests made by openssl ocsp, with and without nonce, SHA-1 and SHA-256 CertIDs', async () => {
    const f = writeFiles(dir.path, { 'ca.pem': pki.ca.certificate.toPem(), 'leaf.pem': leaf.toPem() });
    for (const [extra, hash] of [
      [[], 'SHA-1'],
      [['-no_nonce'], 'SHA-1'],
      [['-sha256'], 'SHA-256'],
    ] as const) {
      const out = `${dir.path}/req.der`;
      const r = await openssl([
        'ocsp',
        ...extra,
        '-issuer',
        f['ca.pem']!,
        '-cert',
        f['leaf.pem']!,
        '-reqout',
        out,
      ]);
      expect(r.status).toBe(0);
      const req = parseOcspRequest(new Uint8Array(readFileSync(out)));
      expect(req.certIds).toHaveLength(1);
      expect(req.certIds[0]!.serialHex).toBe(leaf.serialHex);
      expect(req.certIds[0]!.hash).toBe(hash);
      expect(req.nonceExtnValue !== undefined).toBe(!extra.includes('-no_nonce' as never));
    }
  });

  it('rejects malformed and hostile requests with MALFORMED_DER', () => {
    const good = buildOcspRequest(leaf, pki.ca.certificate, { nonce: true }).der;
    const cases: Uint8Array[] = [
      new Uint8Array(),
      new Uint8Array([0x30]),
      good.subarray(0, good.length - 3),
      new Uint8Array([...good, 0x00]),
      new Uint8Array(2000).fill(0xff),
      new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]),
      new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'),
    ];
    for (const der of cases)
      expect(() => parseOcspRequest(der)).toThrow(expect.objectContaining({ code: 'MALFORMED_DER' }));
    // Single-byte mutations and truncations anywhere: a coded error or a parse, never a crash.
    for (let i = 0; i < good.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const mutated = new Uint8Array(good);
        mutated[i]! ^= flip;
        try {
          parseOcspRequest(mutated);
        } catch (err) {
          expect(err).toMatchObject({ code: 'MALFORMED_DER' });
        }
      }
      try {
        parseOcspRequest(good.subarray(0, i));
      } catch (err) {
        expect(err).toMatchObject({ code: 'MALFORMED_DER' });
      }
    }
    // A 64-byte nonce is beyond RFC 8954's 32.
    const big = buildOcspRequest(leaf, pki.ca.certificate, { nonce: new Uint8Array(64) }).der;
    expect(() => parseOcspRequest(big)).toThrow(expect.objectContaining({ code: 'MALFORMED_DER' }));
  });
});

describe('OCSP responses', () => {
  it('are verified by openssl ocsp -respin: good, revoked with reason, nonce', async () => {
    const f = writeFiles(dir.path, {
      'root.pem': pki.root.certificate.toPem(),
      'ca.pem': pki.ca.certificate.toPem(),
      'chain.pem': pki.ca.certificate.toPem() + pki.root.certificate.toPem(),
      'leaf.pem': leaf.toPem(),
    });
    const reqOut = `${dir.path}/r.der`;
    await openssl(['ocsp', '-issuer', f['ca.pem']!, '-cert', f['leaf.pem']!, '-reqout', reqOut]);
    const reqDer = new Uint8Array(readFileSync(reqOut));
    for (const [status, expected] of [
      [{ status: 'good' }, /Cert Status: good/],
      [
        { status: 'revoked', revokedAt: new Date('2026-02-01T00:00:00Z'), reason: 'keyCompromise' },
        /Cert Status: revoked[\s\S]*Revocation Reason: keyCompromise/,
      ],
      [
        { status: 'revoked', revokedAt: new Date('2026-02-01T00:00:00Z'), reason: 'certificateHold' },
        /Revocation Reason: certificateHold/,
      ],
    ] as const) {
      const resp = await respond(reqDer, status);
      writeFiles(dir.path, { 'resp.der': resp });
      const r = await openssl([
        // -reqin makes openssl compare the response's nonce with the request's.
        'ocsp',
        '-respin',
        `${dir.path}/resp.der`,
        '-reqin',
        reqOut,
        '-CAfile',
        f['root.pem']!,
        '-verify_other',
        f['ca.pem']!,
        '-resp_text',
      ]);
      expect(r.out).toContain('Response verify OK');
      expect(r.out).toMatch(expected);
      expect(r.out).not.toContain('WARNING: no nonce');
    }
  });

  it('verifies with the library: delegation, nonce, freshness, tampering', async () => {
    const req = buildOcspRequest(leaf, pki.ca.certificate, { nonce: true });
    const der = await respond(req.der, { status: 'good' });
    const parsed = parseOcspResponse(der);
    const ok = verifyOcspResponse(parsed, {
      cert: leaf,
      issuer: pki.ca.certificate,
      now: new Date(),
      nonce: req.nonce!,
    });
    expect(ok).toMatchObject({ valid: true, code: 'OK' });
    expect(ok.revocation?.status).toEqual({ status: 'good' });

    const otherNonce = verifyOcspResponse(parsed, {
      cert: leaf,
      issuer: pki.ca.certificate,
      now: new Date(),
      nonce: new Uint8Array(32),
    });
    expect(otherNonce.code).toBe('OCSP_NONCE_MISMATCH');
    const later = verifyOcspResponse(parsed, {
      cert: leaf,
      issuer: pki.ca.certificate,
      now: new Date(Date.now() + 3 * 3600_000),
    });
    expect(later.code).toBe('OCSP_STALE');
    const other = (await pki.person({ idCode: '60001019906' })).auth;
    expect(
      verifyOcspResponse(parsed, { cert: other, issuer: pki.ca.certificate, now: new Date() }).code,
    ).toBe('OCSP_BAD_RESPONSE');

    // Flip a byte inside ResponseData: the signature must no longer verify.
    const tampered = new Uint8Array(der);
    const idx = Buffer.from(der).indexOf(Buffer.from(req.nonce!));
    tampered[idx]! ^= 0xff;
    expect(
      verifyOcspResponse(parseOcspResponse(tampered), {
        cert: leaf,
        issuer: pki.ca.certificate,
        now: new Date(),
      }).code,
    ).toBe('OCSP_BAD_SIGNATURE');

    // A responder certified by another CA (here: the root) is not authorised for this issuer.
    const rogue = await buildOcspResponse({
      responderCertificate: pki.ca.certificate,
      signer: pki.root.signer,
      producedAt: new Date(),
      responses: [
        {
          certId: parseOcspRequest(req.der).certIds[0]!.raw,
          status: { status: 'good' },
          thisUpdate: new Date(),
        },
      ],
    });
    expect(
      verifyOcspResponse(parseOcspResponse(rogue), {
        cert: leaf,
        issuer: pki.ca.certificate,
        now: new Date(),
      }).code,
    ).toMatch(/OCSP_BAD_SIGNATURE|OCSP_UNAUTHORIZED_RESPONDER/);
  });

  it('encodes error statuses as constant bytes openssl understands', async () => {
    writeFiles(dir.path, { 'err.der': ocspErrorResponse('malformedRequest') });
    const r = await openssl(['ocsp', '-respin', `${dir.path}/err.der`, '-resp_text', '-noverify']);
    expect(r.out).toMatch(/malformedrequest/i);
    expect(parseOcspResponse(ocspErrorResponse('unauthorized')).status).toBe('unauthorized');
  });

  it('rejects malformed responses', () => {
    for (const der of [
      new Uint8Array(),
      new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x07]),
      new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00]),
    ]) {
      expect(() => parseOcspResponse(der)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/MALFORMED/) }),
      );
    }
  });

  it('reads responses as the ASN.1 library does: riik and openssl responders, by key and by name', async () => {
    // openssl ocsp as an offline responder: a name-identified responder (its default), a
    // key-identified one, a revoked certificate with a reason, a good one and one it does not know.
    const key = generatePrivateKey('EC-P384');
    const responder = await pki.ca.issue(
      ocspResponderProfile({ commonName: 'TEST openssl OCSP', organisation: 'riik test' }),
      spkiOf(new SoftwareSigner(key).publicKey),
    );
    const good = (await pki.person({ idCode: '60001019906' })).auth;
    const unknown = (await pki.person({ idCode: '50001018865' })).auth;
    const line = (cert: Certificate, revoked: string) =>
      [revoked ? 'R' : 'V', '301231000000Z', revoked, cert.serialHex.toUpperCase(), 'unknown', '/CN=x'].join(
        '\t',
      );
    const f = writeFiles(dir.path, {
      'index.txt': `${line(leaf, '260201000000Z,keyCompromise')}\n${line(good, '')}\n`,
      'ca.pem': pki.ca.certificate.toPem(),
      'rsigner.pem': responder.toPem(),
      'rkey.pem': key.export({ format: 'pem', type: 'pkcs8' }).toString(),
      'leaf.pem': leaf.toPem(),
      'good.pem': good.toPem(),
      'unknown.pem': unknown.toPem(),
    });
    const request = `${dir.path}/multi.req`;
    const made = await openssl([
      'ocsp', '-issuer', f['ca.pem']!, '-cert', f['leaf.pem']!, '-cert', f['good.pem']!, '-cert', f['unknown.pem']!,
      '-reqout', request,
    ]); // prettier-ignore
    expect(made.status).toBe(0);
    const responses: Uint8Array[] = [];
    for (const byKey of [false, true]) {
      const out = `${dir.path}/multi-${byKey}.resp`;
      const r = await openssl([
        'ocsp', '-index', f['index.txt']!, '-rsigner', f['rsigner.pem']!, '-rkey', f['rkey.pem']!, '-CA', f['ca.pem']!,
        '-reqin', request, '-respout', out, '-ndays', '1', ...(byKey ? ['-resp_key_id'] : []),
      ]); // prettier-ignore
      expect(r.status, r.out).toBe(0);
      responses.push(new Uint8Array(readFileSync(out)));
    }
    const req = buildOcspRequest(leaf, pki.ca.certificate, { nonce: true });
    responses.push(
      await respond(req.der, { status: 'revoked', revokedAt: new Date(), reason: 'certificateHold' }),
    );
    responses.push(await respond(req.der, { status: 'unknown' }));

    const [byName, byKey] = responses.map(parseOcspResponse) as [ParsedOcspResponse, ParsedOcspResponse];
    expect(byName.basic!.responderByNameDer).toEqual(responder.subjectDer);
    expect(byKey.basic!.responderByKey).toBeDefined();
    expect(byName.basic!.responses.map((r) => [r.serialHex, r.status.status])).toEqual([
      [leaf.serialHex, 'revoked'],
      [good.serialHex, 'good'],
      [unknown.serialHex, 'unknown'],
    ]);
    expect(byName.basic!.responses[0]!.status).toMatchObject({ reason: 'keyCompromise' });
    for (const der of responses) {
      const parsed = parseOcspResponse(der);
      expect(parsed.basic!.certificates.length).toBeGreaterThan(0);
      expect(fieldsOf(parsed)).toEqual(libraryFieldsOf(parsed.basic!.tbsDer));
    }
  });

  it('never throws anything but a coded error on mutated responses, and agrees with the library', async () => {
    const req = buildOcspRequest(leaf, pki.ca.certificate, { nonce: true });
    const der = await respond(req.der, { status: 'revoked', revokedAt: new Date(), reason: 'keyCompromise' });
    let agreed = 0;
    const check = (input: Uint8Array) => {
      let parsed: ParsedOcspResponse;
      try {
        parsed = parseOcspResponse(input);
      } catch (err) {
        expect(err).toMatchObject({ code: expect.stringMatching(/MALFORMED/) });
        return;
      }
      if (!parsed.basic) return;
      // whatever the hand-written reader accepts, the generic parser reads the same way
      expect(fieldsOf(parsed)).toEqual(libraryFieldsOf(parsed.basic.tbsDer));
      agreed++;
    };
    for (let i = 0; i < der.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const mutated = new Uint8Array(der);
        mutated[i]! ^= flip;
        check(mutated);
      }
      check(der.subarray(0, i));
    }
    expect(agreed).toBeGreaterThan(100);
  });

  it('encodes nonces as OCTET STRING inside the extension', () => {
    expect([...encodeNonce(new Uint8Array([1, 2]))]).toEqual([4, 2, 1, 2]);
  });
});

const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** What riik reads from a response's ResponseData, in a comparable form. */
function fieldsOf(parsed: ParsedOcspResponse) {
  const basic = parsed.basic!;
  return {
    producedAt: basic.producedAt.toISOString(),
    byKey: basic.responderByKey && hex(basic.responderByKey),
    byName: basic.responderByNameDer && hex(basic.responderByNameDer),
    nonce: basic.nonceExtnValue && hex(basic.nonceExtnValue),
    responses: basic.responses.map((r) => ({
      serial: r.serialHex,
      hash: r.certId.hashAlgorithm,
      nameHash: hex(r.certId.issuerNameHash),
      keyHash: hex(r.certId.issuerKeyHash),
      status: r.status.status,
      revokedAt: r.status.status === 'revoked' ? r.status.revokedAt.toISOString() : undefined,
      reason: r.status.status === 'revoked' ? r.status.reason : undefined,
      thisUpdate: r.thisUpdate.toISOString(),
      nextUpdate: r.nextUpdate?.toISOString(),
    })),
  };
}

/** The same fields through the ASN.1 library (@peculiar/asn1-ocsp), the reference for the hand-written reader. */
function libraryFieldsOf(tbsDer: Uint8Array) {
  const rd = AsnConvert.parse(tbsDer, ResponseData);
  const nonce = rd.responseExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2');
  const reasons = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded',
    'cessationOfOperation', 'certificateHold', undefined, 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise']; // prettier-ignore
  return {
    producedAt: rd.producedAt.toISOString(),
    byKey: rd.responderID.byKey && hex(rd.responderID.byKey.buffer),
    byName: rd.responderID.byName && hex(AsnConvert.serialize(rd.responderID.byName)),
    nonce: nonce && hex(nonce.extnValue.buffer),
    responses: rd.responses.map((r) => {
      const revoked = r.certStatus.revoked;
      const code = revoked?.revocationReason?.reason;
      return {
        serial: hex(r.certID.serialNumber),
        hash: r.certID.hashAlgorithm.algorithm,
        nameHash: hex(r.certID.issuerNameHash.buffer),
        keyHash: hex(r.certID.issuerKeyHash.buffer),
        status: revoked ? 'revoked' : r.certStatus.good !== undefined ? 'good' : 'unknown',
        revokedAt: revoked?.revocationTime.toISOString(),
        reason: revoked ? ((code === undefined ? undefined : reasons[code]) ?? 'unspecified') : undefined,
        thisUpdate: r.thisUpdate.toISOString(),
        nextUpdate: r.nextUpdate?.toISOString(),
      };
    }),
  };
}

describe('CRL', () => {
  it('builds a CRL that openssl parses and uses for verification', async () => {
    const { auth, sign } = await pki.person();
    const crl = await buildCrl(pki.ca, {
      thisUpdate: clock.now(),
      nextUpdate: new Date(clock.now().getTime() + 86400_000),
      crlNumber: 7,
      entries: [
        { serialHex: auth.serialHex, revokedAt: new Date('2026-02-01T00:00:00Z'), reason: 'keyCompromise' },
        { serialHex: sign.serialHex, revokedAt: new Date('2026-02-02T00:00:00Z'), reason: 'certificateHold' },
      ],
    });
    const f = writeFiles(dir.path, {
      'crl.der': crl,
      'root.pem': pki.root.certificate.toPem(),
      'ca.pem': pki.ca.certificate.toPem(),
      'auth.pem': auth.toPem(),
    });
    const text = await openssl([
      'crl',
      '-inform',
      'DER',
      '-in',
      f['crl.der']!,
      '-noout',
      '-text',
      '-CAfile',
      f['ca.pem']!,
    ]);
    expect(text.out).toContain('verify OK');
    expect(text.out).toContain('X509v3 CRL Number: \n                7');
    expect(text.out).toContain(auth.serialHex.toUpperCase());
    expect(text.out).toContain('Key Compromise');
    expect(text.out).toContain('Certificate Hold');
    const parsed = parseCrl(crl);
    expect(parsed.crlNumber).toBe(7);
    expect(parsed.isSignedBy(pki.ca.certificate)).toBe(true);
    expect(parsed.revoked.get(sign.serialHex)?.reason).toBe('certificateHold');
    expect(() => parseCrl(crl.subarray(0, 50))).toThrow(expect.objectContaining({ code: 'MALFORMED_DER' }));
  });
});
