/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of several shapes, checked by the assertions */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardReader, createAuthToken, PhoneApp, type CardReaderResult, type PhonePrompt } from '@riik/authn';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { CertificateAuthority, personAuthProfile, rootCaProfile } from '@riik/pki';
import type { EidToken } from '@riik/eid';
import { PINS, startTestEstate, type TestEstate } from './auth/estate.js';
import { pollMobile, post, startFlow, type Flow } from './auth/flow.js';

/**
 * Hostile input against the login service: replayed and foreign nonces, wrong origins, foreign
 * keys and CAs, malformed and oversized input, missing CSRF protection, rate limits, and the
 * refusals of the phone flows.
 */
describe('login service under hostile input', () => {
  let estate: TestEstate;
  let card: EidToken;
  let reader: CardReader;
  let readerUrl: string;
  let origin: string;

  beforeAll(async () => {
    estate = await startTestEstate({
      skSessionTimeoutMs: 1500,
      rateLimits: { perIpPerMinute: 1000, perPersonPerMinute: 8 },
    });
    origin = new URL(estate.auth.issuer).origin;
    card = await estate.person('id-card');
    reader = new CardReader({
      token: card,
      allowedOrigins: [origin],
      onRequest: (r) => reader.answer(r.id, PINS.pin1),
    });
    readerUrl = await reader.listen(0);
  });
  afterAll(async () => {
    await reader?.close();
    await estate?.close();
  });

  async function sign(nonce: string, from = origin): Promise<CardReaderResult & { status: number }> {
    const r = await fetch(`${readerUrl}/v1/authenticate`, {
      method: 'POST',
      headers: { origin: from, 'content-type': 'application/json' },
      body: JSON.stringify({ challengeNonce: nonce }),
    });
    return { status: r.status, ...((await r.json()) as CardReaderResult) };
  }
  async function challenge(flow: Flow): Promise<string> {
    const c = await post(flow, '/idcard/challenge', {});
    expect(c.status).toBe(200);
    return c.json.nonce as string;
  }
  async function tokenFor(flow: Flow) {
    const answer = await sign(await challenge(flow));
    if (!answer.ok) throw new Error(answer.error);
    return answer.token;
  }

  it('refuses a replayed token: the challenge is single use', async () => {
    const flow = await startFlow(estate.auth.issuer);
    const token = await tokenFor(flow);
    expect((await post(flow, '/idcard', { authToken: token })).status).toBe(200);
    expect(await post(flow, '/idcard', { authToken: token })).toEqual({
      status: 400,
      json: { error: 'CHALLENGE_MISSING' },
    });
    await challenge(flow); // a fresh challenge does not revive the old token
    expect(await post(flow, '/idcard', { authToken: token })).toEqual({
      status: 401,
      json: { error: 'SIGNATURE_INVALID' },
    });
  });

  it("refuses a token made for another session's nonce", async () => {
    const a = await startFlow(estate.auth.issuer);
    const b = await startFlow(estate.auth.issuer);
    const tokenA = await tokenFor(a);
    expect(await post(b, '/idcard', { authToken: tokenA })).toEqual({
      status: 400,
      json: { error: 'CHALLENGE_MISSING' },
    });
    await challenge(b);
    expect(await post(b, '/idcard', { authToken: tokenA })).toEqual({
      status: 401,
      json: { error: 'SIGNATURE_INVALID' },
    });
  });

  it('refuses a token signed for another origin; the card reader refuses other origins', async () => {
    expect(await sign('A'.repeat(44), 'https://evil.example')).toMatchObject({
      status: 403,
      error: 'ORIGIN_NOT_ALLOWED',
    });
    const preflight = await fetch(`${readerUrl}/v1/authenticate`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const flow = await startFlow(estate.auth.issuer);
    const nonce = await challenge(flow);
    const key = await card.unlock('auth', PINS.pin1);
    const phishing = await createAuthToken({
      origin: 'https://riik.evil.example',
      challengeNonce: nonce,
      certificate: card.certificate('auth'),
      signDigest: (d) => key.signDigest(d, 'raw'),
    });
    expect(await post(flow, '/idcard', { authToken: phishing })).toEqual({
      status: 401,
      json: { error: 'SIGNATURE_INVALID' },
    });
  });

  it("refuses a token signed by another card's key", async () => {
    const other = await estate.person('id-card');
    const flow = await startFlow(estate.auth.issuer);
    const nonce = await challenge(flow);
    const otherKey = await other.unlock('auth', PINS.pin1);
    const forged = await createAuthToken({
      origin,
      challengeNonce: nonce,
      certificate: card.certificate('auth'),
      signDigest: (d) => otherKey.signDigest(d, 'raw'),
    });
    expect(await post(flow, '/idcard', { authToken: forged })).toEqual({
      status: 401,
      json: { error: 'SIGNATURE_INVALID' },
    });
  });

  it('refuses a certificate from an untrusted CA, even with a valid signature', async () => {
    const rogueSigner = new SoftwareSigner(generatePrivateKey('EC-P384'));
    const rogue = await CertificateAuthority.createRoot(
      rootCaProfile({ commonName: 'ESTEID-RIIK 2026', organisation: 'riik EE-DEV' }),
      rogueSigner,
    );
    const key = await card.unlock('auth', PINS.pin1);
    const spki = new Uint8Array(card.publicKey('auth').export({ format: 'der', type: 'spki' }));
    const fake = await rogue.issue(
      personAuthProfile({
        idCode: card.holder.idCode,
        givenName: 'JAAK',
        surname: 'JÕEORG',
        documentType: 'id-card',
      }),
      spki,
    );
    const flow = await startFlow(estate.auth.issuer);
    const nonce = await challenge(flow);
    const token = await createAuthToken({
      origin,
      challengeNonce: nonce,
      certificate: fake,
      signDigest: (d) => key.signDigest(d, 'raw'),
    });
    expect(await post(flow, '/idcard', { authToken: token })).toEqual({
      status: 401,
      json: { error: 'CERT_UNTRUSTED' },
    });
  });

  it('answers malformed tokens with a coded refusal, never a crash', async () => {
    const flow = await startFlow(estate.auth.issuer);
    const cases: Array<[unknown, string[]]> = [
      ['garbage', ['TOKEN_PARSE']],
      [null, ['TOKEN_PARSE']],
      [{}, ['TOKEN_PARSE']],
      [[1, 2, 3], ['TOKEN_PARSE']],
      ['x'.repeat(9000), ['TOKEN_PARSE']],
      [
        {
          format: 'web-eid:1.0',
          unverifiedCertificate: 'AAAA',
          algorithm: 'ES384',
          signature: 'AAAA',
          appVersion: 'x'.repeat(80),
        },
        ['CERT_DECODING'],
      ],
      [
        {
          format: 'web-eid:2',
          unverifiedCertificate: 'AAAA',
          algorithm: 'ES384',
          signature: 'AAAA',
          appVersion: 'x'.repeat(80),
        },
        ['TOKEN_FORMAT'],
      ],
      [
        {
          format: 'web-eid:1.0',
          unverifiedCertificate: { a: 1 },
          algorithm: 'ES384',
          signature: 'A',
          pad: 'x'.repeat(100),
        },
        ['TOKEN_PARSE'],
      ],
      ['['.repeat(5000) + ']'.repeat(5000), ['TOKEN_PARSE']],
    ];
    for (const [authToken, codes] of cases) {
      await challenge(flow);
      const r = await post(flow, '/idcard', { authToken });
      expect(r.status).toBe(401);
      expect(codes).toContain(r.json.error);
    }
  });

  it('refuses oversized requests before reading them whole', async () => {
    const flow = await startFlow(estate.auth.issuer);
    const big = JSON.stringify({ authToken: 'x'.repeat(1024 * 1024) });
    const r = await flow.browser.fetch(`/login/${flow.uid}/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': flow.csrf },
      body: big,
    });
    expect(r.status).toBe(413);
    const sk = await fetch(`${estate.auth.url}/sk/mid-api/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(sk.status).toBe(413);
    const toReader = await fetch(`${readerUrl}/v1/authenticate`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: big,
    });
    expect(toReader.status).toBe(400);
  });

  it('refuses posts without the CSRF token or from another origin', async () => {
    const flow = await startFlow(estate.auth.issuer);
    const noToken = await flow.browser.fetch(`/login/${flow.uid}/idcard/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { code: string }).code).toBe('BAD_CSRF_TOKEN');
    const crossSite = await flow.browser.fetch(`/login/${flow.uid}/smartid`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: `csrf=${flow.csrf}&idCode=38001085718`,
    });
    expect(crossSite.status).toBe(403);
    // and a login id without its browser's interaction cookie is no login at all
    const stranger = await fetch(`${estate.auth.url}/login/${flow.uid}/idcard/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'x-csrf-token': flow.csrf },
      body: '{}',
    });
    expect(stranger.status).toBe(400);
    expect(await stranger.json()).toEqual({ error: 'CHALLENGE_MISSING' });
  });

  describe('Smart-ID refusals', () => {
    let phoneToken: EidToken;
    let app: PhoneApp;
    let answer: (p: PhonePrompt) => Promise<string | null>;
    beforeAll(async () => {
      phoneToken = await estate.person('smart-id');
      app = new PhoneApp({
        kind: 'smart-id',
        token: phoneToken,
        skUrl: `${estate.auth.url}/sk`,
        askPin: (p) => answer(p),
      });
      await app.start(PINS.pin1);
    });
    afterAll(() => app?.stop());

    async function login(): Promise<any> {
      const flow = await startFlow(estate.auth.issuer);
      const started = await post(flow, '/smartid', { idCode: phoneToken.holder.idCode });
      if (started.status !== 200) return started.json;
      return pollMobile(flow);
    }

    it('user refused on the phone', async () => {
      answer = async () => null;
      expect(await login()).toEqual({ error: 'USER_REFUSED' });
    });
    it('a wrong PIN is retried on the phone; the login then succeeds', async () => {
      const tries: Array<number | undefined> = [];
      answer = async (p) => {
        tries.push(p.triesLeft);
        return tries.length === 1 ? '0000' : PINS.pin1;
      };
      expect((await login()).redirect).toMatch(/\/auth\//);
      expect(tries).toEqual([undefined, 2]);
    });
    it('no Smart-ID account', async () => {
      const flow = await startFlow(estate.auth.issuer);
      expect(await post(flow, '/smartid', { idCode: '49002124277' })).toEqual({
        status: 401,
        json: { error: 'NO_ACCOUNT' },
      });
      expect(await post(flow, '/smartid', { idCode: '12345678901' })).toEqual({
        status: 400,
        json: { error: 'BAD_ID_CODE' },
      });
    });
    it('timeout when the phone does not answer', async () => {
      answer = () => new Promise(() => undefined); // the person never looks at the phone
      expect(await login()).toEqual({ error: 'TIMEOUT' });
    });
    it('rate limit per person', async () => {
      const flow = await startFlow(estate.auth.issuer);
      const codes: number[] = [];
      for (let i = 0; i < 10; i++)
        codes.push((await post(flow, '/smartid', { idCode: '49002124277' })).status);
      expect(codes.at(-1)).toBe(429);
    });
  });

  it('the SK API refuses unknown relying parties, bad identifiers and wrong device secrets', async () => {
    const sk = `${estate.auth.url}/sk`;
    const body = {
      relyingPartyUUID: '00000000-0000-4000-8000-000000000000',
      relyingPartyName: 'evil',
      hash: Buffer.alloc(64).toString('base64'),
      hashType: 'SHA512',
    };
    const json = { 'content-type': 'application/json' };
    expect(
      (
        await fetch(`${sk}/smart-id/v2/authentication/etsi/PNOEE-38001085718`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${sk}/smart-id/v2/authentication/etsi/PNOEE-38001085718`, {
          method: 'POST',
          headers: json,
          body: '{"hash": 1}',
        })
      ).status,
    ).toBe(400);
    expect((await fetch(`${sk}/smart-id/v2/session/nope`)).status).toBe(404);
    expect(
      (await fetch(`${sk}/device/nope/requests`, { headers: { authorization: 'Bearer x' } })).status,
    ).toBe(401);
    const bad = await fetch(`${sk}/device/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        kind: 'smart-id',
        certificate: 'AAAA',
        time: new Date().toISOString(),
        signature: 'AAAA',
      }),
    });
    expect(bad.status).toBe(400);
  });
});
