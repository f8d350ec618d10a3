import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import { EidToken } from '@riik/eid';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  CertificateAuthority,
  issuingCaProfile,
  personAuthProfile,
  PERSON_CA_POLICIES,
  rootCaProfile,
} from '@riik/pki';
import { CardReader, WebEidValidator, type CardReaderResult, type PinRequest } from '../src/index.js';

const ORIGIN = 'https://login.riik.test';
const NONCE = 'q'.repeat(43) + '=';

describe('card reader', () => {
  const dir = tempDir();
  let token: EidToken;
  let reader: CardReader;
  let url: string;
  let next: (request: PinRequest) => void = () => undefined;

  beforeAll(async () => {
    token = await EidToken.create({
      file: `${dir.path}/card.token`,
      holder: { idCode: '38001085718', givenName: 'JAAK-KRISTJAN', surname: 'JÕEORG' },
      documentType: 'id-card',
      pin1: '1234',
      pin2: '12345',
      puk: '12345678',
      kdf: { name: 'scrypt', N: 2 ** 10, r: 8, p: 1 },
    });
    const root = await CertificateAuthority.createRoot(
      rootCaProfile({ commonName: 'TEST ROOT', organisation: 'riik test' }),
      new SoftwareSigner(generatePrivateKey('EC-P384')),
    );
    const caSigner = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const caCert = await root.issue(
      issuingCaProfile({
        commonName: 'TEST ESTEID',
        organisation: 'riik test',
        policies: PERSON_CA_POLICIES,
      }),
      new Uint8Array(caSigner.publicKey.export({ format: 'der', type: 'spki' })),
    );
    const ca = new CertificateAuthority(caCert, caSigner);
    const spki = new Uint8Array(token.publicKey('auth').export({ format: 'der', type: 'spki' }));
    token.setCertificate(
      'auth',
      await ca.issue(
        personAuthProfile({
          idCode: '38001085718',
          givenName: 'JAAK-KRISTJAN',
          surname: 'JÕEORG',
          documentType: 'id-card',
        }),
        spki,
      ),
    );
    reader = new CardReader({ token, allowedOrigins: [ORIGIN], onRequest: (r) => next(r), timeoutMs: 300 });
    url = await reader.listen(0);
  });
  afterAll(async () => {
    await reader?.close();
    dir.remove();
  });

  const ask = async (origin = ORIGIN, body: unknown = { challengeNonce: NONCE }) => {
    const r = await fetch(`${url}/v1/authenticate`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: r.status,
      cors: r.headers.get('access-control-allow-origin'),
      body: (await r.json()) as CardReaderResult,
    };
  };

  it('signs the browser-reported origin and the nonce after PIN1; the token validates', async () => {
    next = (r) => reader.answer(r.id, '1234');
    const { status, cors, body } = await ask();
    expect([status, cors]).toEqual([200, ORIGIN]);
    if (!body.ok) throw new Error(body.error);
    expect(WebEidValidator.verifySignatureOnly(JSON.stringify(body.token), ORIGIN, NONCE)).toBe('ES384');
  });
  it('answers CORS preflights only for allowed origins', async () => {
    const ok = await fetch(`${url}/v1/authenticate`, { method: 'OPTIONS', headers: { origin: ORIGIN } });
    expect([ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([204, ORIGIN]);
    expect((await ask('https://evil.test')).status).toBe(403);
    expect((await fetch(`${url}/v1/authenticate`, { method: 'POST' })).status).toBe(403);
  });
  it('refuses bad nonces', async () => {
    expect((await ask(ORIGIN, { challengeNonce: 'short' })).status).toBe(400);
    expect((await ask(ORIGIN, { challengeNonce: 'x'.repeat(200) })).status).toBe(400);
    expect((await ask(ORIGIN, [])).status).toBe(400);
  });
  it('reports a wrong PIN with tries left, a cancel and a timeout', async () => {
    next = (r) => reader.answer(r.id, '0000');
    expect((await ask()).body).toEqual({ ok: false, error: 'PIN_INCORRECT', triesLeft: 2 });
    next = (r) => reader.answer(r.id, null);
    expect((await ask()).body).toEqual({ ok: false, error: 'USER_CANCELLED' });
    next = () => undefined;
    expect((await ask()).body).toEqual({ ok: false, error: 'TIMEOUT' });
    next = (r) => reader.answer(r.id, '1234'); // the right PIN restores the tries
    expect((await ask()).body.ok).toBe(true);
    expect(token.triesLeft().pin1).toBe(3);
  });
  it('serves one request at a time', async () => {
    let first: PinRequest | undefined;
    next = (r) => (first = r);
    const pending = ask();
    while (!reader.current) await new Promise((r) => setImmediate(r));
    expect((await ask()).body).toEqual({ ok: false, error: 'BUSY' });
    reader.answer(first!.id, '1234');
    expect((await pending).body.ok).toBe(true);
  });
  it('lets only its own PIN page, holding the page key, see and answer requests', async () => {
    const own = new URL(url).origin;
    const api = (origin: string, body: object) =>
      fetch(`${url}/pin/api`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api(ORIGIN, { key: reader.pageKey })).status).toBe(403);
    expect((await api(own, { key: 'wrong' })).status).toBe(403);
    expect(await (await api(own, { key: reader.pageKey })).json()).toEqual({ request: null });
    next = () => undefined;
    const pending = ask();
    let request: PinRequest | null = null;
    while (!request)
      request = ((await (await api(own, { key: reader.pageKey })).json()) as { request: PinRequest | null })
        .request;
    expect(request.origin).toBe(ORIGIN);
    expect(await (await api(own, { key: reader.pageKey, id: request.id, pin: '1234' })).json()).toEqual({
      ok: true,
    });
    expect((await pending).body.ok).toBe(true);
    const page = await fetch(`${url}/pin`);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});
