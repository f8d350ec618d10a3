import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import {
  buildOcspResponse,
  Certificate,
  CertificateValidator,
  DOCUMENT_POLICY,
  parseOcspRequest,
  type CertStatusValue,
  type OcspFetch,
} from '../src/index.js';
import { createTestPki, type TestPki } from './fixtures.js';

let pki: TestPki;
const statuses = new Map<string, CertStatusValue>();
let answered = 0;

/** An OCSP responder in-process: answers from `statuses`, signs with the test responder. */
const ocspFetch: OcspFetch = async (_url, der) => {
  answered++;
  const req = parseOcspRequest(der);
  const now = new Date();
  return buildOcspResponse({
    responderCertificate: pki.responder.certificate,
    signer: pki.responder.signer,
    producedAt: now,
    responses: req.certIds.map((c) => ({
      certId: c.raw,
      status: statuses.get(c.serialHex) ?? { status: 'unknown' },
      thisUpdate: now,
    })),
    ...(req.nonceExtnValue ? { nonceExtnValue: req.nonceExtnValue } : {}),
  });
};

beforeAll(async () => {
  pki = await createTestPki(() => new Date());
});

function validator(anchors = [pki.root.certificate]) {
  return new CertificateValidator({ anchors, intermediates: [pki.ca.certificate], ocspFetch });
}

describe('certificate validation with OCSP', () => {
  it('accepts a good certificate and reports revoked, suspended and unknown ones', async () => {
    const { auth, sign } = await pki.person();
    statuses.set(auth.serialHex, { status: 'good' });
    expect(await validator().validate(auth, { purpose: 'auth' })).toMatchObject({ valid: true, code: 'OK' });
    statuses.set(auth.serialHex, { status: 'revoked', revokedAt: new Date(), reason: 'keyCompromise' });
    expect((await validator().validate(auth, { purpose: 'auth' })).code).toBe('REVOKED');
    statuses.set(auth.serialHex, { status: 'revoked', revokedAt: new Date(), reason: 'certificateHold' });
    expect((await validator().validate(auth, { purpose: 'auth' })).code).toBe('SUSPENDED');
    expect((await validator().validate(sign, { purpose: 'sign' })).code).toBe('REVOCATION_UNKNOWN');
  });

  it('reports an expired certificate as expired even when OCSP says good, without asking', async () => {
    const { auth } = await pki.person();
    statuses.set(auth.serialHex, { status: 'good' });
    const before = answered;
    const r = await validator().validate(auth, { time: new Date(Date.now() + 6 * 365 * 86400_000) });
    expect(r.code).toBe('EXPIRED');
    expect(answered).toBe(before);
  });

  it('checks purpose, policies and trust', async () => {
    const { auth, sign } = await pki.person({ documentType: 'e-resident' });
    statuses.set(auth.serialHex, { status: 'good' });
    expect((await validator().validate(sign, { purpose: 'auth', revocation: 'none' })).code).toBe(
      'WRONG_KEY_USAGE',
    );
    expect((await validator().validate(auth, { purpose: 'sign', revocation: 'none' })).code).toBe(
      'WRONG_KEY_USAGE',
    );
    expect(
      (
        await validator().validate(auth, {
          revocation: 'none',
          disallowedPolicies: [DOCUMENT_POLICY['e-resident'].auth],
        })
      ).code,
    ).toBe('POLICY_NOT_ALLOWED');
    const other = await createTestPki(() => new Date());
    expect((await validator([other.root.certificate]).validate(auth, { revocation: 'none' })).code).toBe(
      'UNTRUSTED',
    );
  });

  it('detects a forged chain (same names, other key)', async () => {
    const { auth } = await pki.person();
    const forger = await createTestPki(() => new Date());
    // The forger's CA has a different name; make one with the victim CA's name instead.
    const forged = await forger.root.issue(
      { subject: pki.ca.certificate.subject, extensions: [], validityDays: 30, revocable: false },
      auth.spkiDer,
    );
    const r = await new CertificateValidator({
      anchors: [pki.root.certificate],
      intermediates: [forged],
      ocspFetch,
    }).validate(forged, { revocation: 'none' });
    expect(r.valid).toBe(false);
  });
});

describe('validation of real Estonian test certificates (../shared/test-data/webeid)', () => {
  const read = (p: string) => Certificate.fromPem(readFileSync(`${testDataDir('webeid')}/${p}`, 'utf8'));
  it('chains the 2021 test ID-card to TEST of ESTEID2018 and on to TEST of EE-GovCA2018', async () => {
    const leaf = read('usercerts/valid-es384-ee-2021.pem');
    const esteid = read('certs/TEST_of_ESTEID2018.pem');
    const root = read('certs/TEST_of_EE-GovCA2018.pem');
    const at = new Date('2024-08-01T00:00:00Z');
    const v1 = new CertificateValidator({ anchors: [esteid] });
    expect(await v1.validate(leaf, { time: at, purpose: 'auth', revocation: 'none' })).toMatchObject({
      valid: true,
    });
    const v2 = new CertificateValidator({ anchors: [root], intermediates: [esteid] });
    const r2 = await v2.validate(leaf, { time: at, purpose: 'auth', revocation: 'none' });
    expect(r2.valid).toBe(true);
    expect(r2.chain.map((c) => c.subjectString)).toHaveLength(3);
    expect(
      (await v1.validate(leaf, { time: new Date('2027-01-01T00:00:00Z'), revocation: 'none' })).code,
    ).toBe('EXPIRED');
    const prod = new CertificateValidator({ anchors: [read('certs/ESTEID2018.pem')] });
    expect((await prod.validate(leaf, { time: at, revocation: 'none' })).code).toBe('UNTRUSTED');
    expect(leaf.policies).toContain(DOCUMENT_POLICY['id-card'].auth);
  });
});
