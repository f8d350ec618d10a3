import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageBackends, tempDir } from '@riik/testing';
import { createLogger } from '@riik/http';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  CertificateAuthority,
  issuingCaProfile,
  OID,
  rootCaProfile,
  spkiOf,
  xroadAuthProfile,
  xroadSignProfile,
  Certificate,
} from '@riik/pki';
import {
  buildManagementRequest,
  checkDirectoryEntry,
  parseConfigurationAnchorXml,
  parseSharedParametersXml,
  parseSignedDirectory,
  SecurityServerId,
  XRoadClientId,
} from '@riik/xroad';
import { centralPaths, initCentralServer, startCentralServer, type RunningCentral } from '../src/index.js';

async function orgCa() {
  const root = await CertificateAuthority.createRoot(
    rootCaProfile({ commonName: 'T root', organisation: 't' }),
    new SoftwareSigner(generatePrivateKey('EC-P384')),
  );
  const key = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const cert = await root.issue(
    issuingCaProfile({ commonName: 'T org', organisation: 't', policies: [OID.anyPolicy] }),
    spkiOf(key.publicKey),
  );
  return { root, ca: new CertificateAuthority(cert, key, { ocsp: 'http://127.0.0.1:1/ocsp' }) };
}

describe.each(storageBackends())('central server on $name', ({ url }) => {
  const dir = tempDir();
  let central: RunningCentral;
  let token: string;
  let pki: Awaited<ReturnType<typeof orgCa>>;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${central.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as object),
      },
    });
  const post = async (path: string, body: unknown, expected = 201) => {
    const r = await api(path, { method: 'POST', body: JSON.stringify(body) });
    const text = await r.text();
    expect(r.status, text).toBe(expected);
    return (text ? JSON.parse(text) : null) as Record<string, unknown> | null;
  };

  beforeAll(async () => {
    pki = await orgCa();
    await initCentralServer({ dataDir: dir.path, instance: 'EE-DEV', baseUrl: 'http://127.0.0.1:1' });
    central = await startCentralServer({
      dataDir: dir.path,
      port: 0,
      log: createLogger('central', 'silent'),
      gconf: { intervalSeconds: 3600, expireSeconds: 600 },
      ...(url ? { databaseUrl: url, databaseSchema: `central_${process.pid}_${Date.now() % 1e6}` } : {}),
    });
    token = readFileSync(centralPaths(dir.path).operatorToken, 'utf8').trim();
    await post('/api/v1/member-classes', { code: 'GOV', description: 'Government' });
    await post('/api/v1/members', { id: 'EE-DEV/GOV/70000562', name: 'Siseministeerium' });
    await post('/api/v1/subsystems', { id: 'EE-DEV/GOV/70000562/rr' });
    await post('/api/v1/approved-cas', {
      name: 'T org',
      top: { cert: pki.root.certificate.toPem(), ocsp: [] },
      intermediates: [{ cert: pki.ca.certificate.toPem(), ocsp: [{ url: 'http://127.0.0.1:1/ocsp' }] }],
    });
  });
  afterAll(async () => {
    await central?.close();
    dir.remove();
  });

  it('publishes a signed directory that verifies with the anchor; files match their digests', async () => {
    await post('/api/v1/global-configuration/publish', {}, 200);
    const anchor = parseConfigurationAnchorXml(readFileSync(centralPaths(dir.path).anchor, 'utf8'));
    expect(anchor.instanceIdentifier).toBe('EE-DEV');
    const r = await fetch(`${central.url}/internalconf`);
    expect(r.status).toBe(200);
    const body = new Uint8Array(await r.arrayBuffer());
    const directory = await parseSignedDirectory(
      r.headers.get('content-type'),
      body,
      anchor.sources[0]!.verificationCerts.map((c) => Certificate.fromDer(c)),
    );
    expect(directory.version).toBe(2);
    expect(directory.expireDate.getTime()).toBeGreaterThan(Date.now() + 500_000);
    const sharedEntry = directory.entries.find((e) => e.contentIdentifier === 'SHARED-PARAMETERS')!;
    const file = new Uint8Array(await (await fetch(`${central.url}${sharedEntry.location}`)).arrayBuffer());
    checkDirectoryEntry(sharedEntry, file);
    const shared = parseSharedParametersXml(Buffer.from(file).toString('utf8'));
    expect(shared.members.map((m) => m.memberCode)).toEqual(['70000562']);
    expect(shared.approvedCas[0]!.intermediateCas).toHaveLength(1);
    expect((await fetch(`${central.url}/internalconf?version=3`)).status).toBe(404);
  });

  it('registers an authentication certificate and a client through signed requests and operator approval', async () => {
    const signKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
    const authKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
    const sign = await pki.ca.issue(
      xroadSignProfile({ name: 'SIM', memberCode: '70000562' }),
      spkiOf(signKey.publicKey),
    );
    const auth = await pki.ca.issue(
      xroadAuthProfile({
        name: 'SIM',
        memberCode: '70000562',
        instance: 'EE-DEV',
        memberClass: 'GOV',
        serverCode: 'ss-rr',
      }),
      spkiOf(authKey.publicKey),
    );
    const manage = (body: unknown) =>
      fetch(`${central.url}/managementservice/v1/requests`, { method: 'POST', body: JSON.stringify(body) });
    const req = await buildManagementRequest(
      {
        type: 'auth-cert-reg',
        server: 'EE-DEV/GOV/70000562/ss-rr',
        address: '127.0.0.1:8711',
        authCert: Buffer.from(auth.der).toString('base64'),
        createdAt: new Date().toISOString(),
      },
      [
        { signer: authKey, certificate: auth },
        { signer: signKey, certificate: sign },
      ],
    );
    // Without proof of possession of the authentication key, the request is refused.
    const noPop = { ...req, signatures: [req.signatures[1]!] };
    expect((await manage(noPop)).status).toBe(403);
    // A tampered body breaks the signatures.
    const tampered = {
      ...req,
      request: Buffer.from(Buffer.from(req.request, 'base64').toString().replace('8711', '9999')).toString(
        'base64',
      ),
    };
    expect((await manage(tampered)).status).toBe(403);
    const filed = await manage(req);
    expect(filed.status).toBe(202);
    const { id } = (await filed.json()) as { id: number };

    const client = await buildManagementRequest(
      {
        type: 'client-reg',
        server: 'EE-DEV/GOV/70000562/ss-rr',
        client: 'EE-DEV/GOV/70000562/rr',
        createdAt: new Date().toISOString(),
      },
      [{ signer: signKey, certificate: sign }],
    );
    // Before the server is approved the client request is filed too, but approving it must wait.
    const filedClient = (await (await manage(client)).json()) as { id: number };
    const pending = (await (await api('/api/v1/requests')).json()) as { requests: Array<{ status: string }> };
    expect(pending.requests.filter((r) => r.status === 'submitted')).toHaveLength(2);

    await post(`/api/v1/requests/${id}/approve`, undefined, 200);
    await post(`/api/v1/requests/${filedClient.id}/approve`, undefined, 200);
    await post(`/api/v1/requests/${id}/approve`, undefined, 409);

    const shared = await central.registry.sharedParameters(600);
    const server = shared.securityServers.find((s) => s.serverCode === 'ss-rr')!;
    expect(server.address).toBe('127.0.0.1:8711');
    expect(server.clients.map((c) => c.encode())).toEqual(['EE-DEV/GOV/70000562/rr']);
    expect(server.authCertHashes).toHaveLength(1);
    expect(
      SecurityServerId.parse('EE-DEV/GOV/70000562/ss-rr').owner.equals(
        XRoadClientId.parse('EE-DEV/GOV/70000562'),
      ),
    ).toBe(true);
  });

  it('needs the operator token for the operator API and refuses garbage', async () => {
    expect((await fetch(`${central.url}/api/v1/requests`)).status).toBe(401);
    expect((await post('/api/v1/members', { id: 'not an id', name: 'x' }, 400))!.code).toBe(
      'INVALID_REQUEST',
    );
    expect((await post('/api/v1/members', { id: 'EE-DEV/NOPE/1', name: 'x' }, 404))!.code).toBe('NOT_FOUND');
    const r = await fetch(`${central.url}/managementservice/v1/requests`, {
      method: 'POST',
      body: '{"request":"x"',
    });
    expect(r.status).toBe(400);
  });
});
