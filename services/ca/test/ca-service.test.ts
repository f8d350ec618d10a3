import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, storageBackends, tempDir } from '@riik/testing';
import { createLogger } from '@riik/http';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { buildCsr, buildOcspRequest, Certificate, csrToPem, ocspErrorResponse, parseCrl } from '@riik/pki';
import { caPaths, initCa, startCaServer, type RunningCa } from '../src/index.js';

const person = {
  idCode: '38001085718',
  givenName: 'Jaak-Kristjan',
  surname: 'Jõeorg',
  documentType: 'id-card' as const,
};

async function csr(): Promise<string> {
  return csrToPem(await buildCsr(new SoftwareSigner(generatePrivateKey('EC-P384'))));
}

describe.each(storageBackends())('CA service on $name', ({ name, url }) => {
  const dir = tempDir();
  let ca: RunningCa;
  let token: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${ca.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as object),
      },
    });
  const issue = async (profile: string, subject: object) => {
    const r = await api('/api/v1/certificates', {
      method: 'POST',
      body: JSON.stringify({ profile, csr: await csr(), subject }),
    });
    expect(r.status).toBe(201);
    return (await r.json()) as { serial: string; certificate: string };
  };

  beforeAll(async () => {
    await initCa({ dataDir: dir.path, baseUrl: 'http://127.0.0.1:1' });
    ca = await startCaServer({
      dataDir: dir.path,
      port: 0,
      log: createLogger('ca', 'silent'),
      ...(url ? { databaseUrl: url, databaseSchema: `ca_${process.pid}_${Date.now() % 1e6}` } : {}),
    });
    token = readFileSync(caPaths(dir.path).operatorToken, 'utf8').trim();
  });
  afterAll(async () => {
    await ca?.close();
    dir.remove();
  });

  it(`issues, suspends, resumes and revokes; openssl ocsp follows every step (${name})`, async () => {
    const { serial, certificate } = await issue('person-auth', person);
    const paths = caPaths(dir.path);
    const leafFile = `${dir.path}/leaf.pem`;
    writeFileSync(leafFile, certificate);
    // Every answer must verify against the root; then the status line is what the test checks.
    const ask = async (extra: string[] = []) => {
      const { out } = await openssl([
        'ocsp',
        '-issuer',
        paths.cert('esteid'),
        '-cert',
        leafFile,
        '-url',
        `${ca.url}/ocsp`,
        '-CAfile',
        paths.cert('root'),
        '-verify_other',
        paths.cert('esteid'),
        ...extra,
      ]);
      expect(out).toContain('Response verify OK');
      return out;
    };
    expect(await ask()).toMatch(/: good/);
    expect(await ask(['-no_nonce'])).toMatch(/: good/);
    expect(await ask(['-no_nonce'])).toMatch(/: good/); // served from the pre-signed cache

    expect((await api(`/api/v1/certificates/${serial}/suspend`, { method: 'POST' })).status).toBe(200);
    expect(await ask(['-no_nonce'])).toMatch(/: revoked[\s\S]*Reason: certificateHold/);
    expect(await ask()).toMatch(/: revoked[\s\S]*Reason: certificateHold/);

    expect((await api(`/api/v1/certificates/${serial}/resume`, { method: 'POST' })).status).toBe(200);
    expect(await ask(['-no_nonce'])).toMatch(/: good/);

    const revoke = await api(`/api/v1/certificates/${serial}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'keyCompromise' }),
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(await ask()).toMatch(/: revoked[\s\S]*Reason: keyCompromise/);
    expect(await ask(['-no_nonce'])).toMatch(/: revoked/);

    // Revocation is final.
    const again = await api(`/api/v1/certificates/${serial}/resume`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'ALREADY_REVOKED' });

    // The CRL lists it, and openssl verifies the CRL against the issuing CA.
    const crl = new Uint8Array(await (await fetch(`${ca.url}/crl/esteid.crl`)).arrayBuffer());
    const parsed = parseCrl(crl);
    expect(parsed.revoked.get(serial)?.reason).toBe('keyCompromise');
    writeFileSync(`${dir.path}/esteid.crl`, crl);
    expect(
      (
        await openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          `${dir.path}/esteid.crl`,
          '-CAfile',
          paths.cert('esteid'),
          '-noout',
        ])
      ).out,
    ).toContain('verify OK');
  });

  it('serves GET /ocsp/<base64>, and answers bad requests with OCSP statuses, never a crash', async () => {
    const { certificate } = await issue('person-sign', person);
    const leaf = Certificate.fromPem(certificate);
    const issuer = ca.service.hierarchy.issuers.get('esteid')!.authority.certificate;
    const req = buildOcspRequest(leaf, issuer, { hash: 'SHA-256' }).der;
    const get = await fetch(`${ca.url}/ocsp/${encodeURIComponent(Buffer.from(req).toString('base64'))}`);
    expect(get.headers.get('content-type')).toBe('application/ocsp-response');
    expect((await get.arrayBuffer()).byteLength).toBeGreaterThan(500);

    const post = (body: Uint8Array) =>
      fetch(`${ca.url}/ocsp`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/ocsp-request' },
      }).then(async (r) => ({
        status: r.status,
        body: new Uint8Array(await r.arrayBuffer()),
      }));
    expect((await post(new Uint8Array([1, 2, 3]))).body).toEqual(ocspErrorResponse('malformedRequest'));
    expect((await post(req.subarray(0, 20))).body).toEqual(ocspErrorResponse('malformedRequest'));
    const foreign = Certificate.fromPem(certificate);
    const unknownIssuer = buildOcspRequest(foreign, foreign).der; // the leaf as its own "issuer"
    expect((await post(unknownIssuer)).body).toEqual(ocspErrorResponse('unauthorized'));
    expect((await post(new Uint8Array(20_000))).status).toBe(413);
    const bad = await fetch(`${ca.url}/ocsp/%%%`);
    expect(new Uint8Array(await bad.arrayBuffer())).toEqual(ocspErrorResponse('malformedRequest'));
  });

  it('protects the operator API and validates its input', async () => {
    const noAuth = await fetch(`${ca.url}/api/v1/certificates`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
    const badCsr = await api('/api/v1/certificates', {
      method: 'POST',
      body: JSON.stringify({ profile: 'person-auth', csr: 'x', subject: person }),
    });
    expect(badCsr.status).toBe(422);
    expect(await badCsr.json()).toMatchObject({ code: 'BAD_CSR' });
    const badCode = await api('/api/v1/certificates', {
      method: 'POST',
      body: JSON.stringify({
        profile: 'person-auth',
        csr: await csr(),
        subject: { ...person, idCode: '38001085719' },
      }),
    });
    expect(await badCode.json()).toMatchObject({ code: 'BAD_CHECKSUM' });
    const badProfile = await api('/api/v1/certificates', {
      method: 'POST',
      body: JSON.stringify({ profile: 'root', csr: await csr() }),
    });
    expect(badProfile.status).toBe(400);
    expect((await api('/api/v1/certificates/00ff/suspend', { method: 'POST' })).status).toBe(404);
    expect((await api('/api/v1/certificates/XYZ/suspend', { method: 'POST' })).status).toBe(400);
    const huge = await api('/api/v1/certificates', { method: 'POST', body: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    const list = await api(`/api/v1/certificates?idCode=${person.idCode}`);
    expect(((await list.json()) as { certificates: unknown[] }).certificates.length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('issues X-Road and TSA certificates from the organisation CA', async () => {
    const sign = await issue('xroad-sign', { name: 'Ministry of the Interior', memberCode: '70000562' });
    const authCert = await issue('xroad-auth', {
      name: 'Ministry of the Interior',
      memberCode: '70000562',
      instance: 'EE-DEV',
      memberClass: 'GOV',
      serverCode: 'ss-rr',
    });
    const tsa = await issue('tsa', { commonName: 'riik TSA', organisation: 'riik EE-DEV' });
    for (const c of [sign, authCert, tsa]) {
      expect(Certificate.fromPem(c.certificate).issuerString).toContain('RIIK ORG CA');
    }
    const paths = caPaths(dir.path);
    writeFileSync(`${dir.path}/tsa.pem`, tsa.certificate);
    expect(
      (
        await openssl([
          'verify',
          '-CAfile',
          paths.cert('root'),
          '-untrusted',
          paths.cert('org'),
          '-purpose',
          'timestampsign',
          `${dir.path}/tsa.pem`,
        ])
      ).out,
    ).toContain(': OK');
  });
});
