import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { CardReader, type CardReaderResult } from '@riik/authn';
import type { EidToken } from '@riik/eid';
import { storageBackends } from '@riik/testing';
import { PINS, startPhoneApp, startTestEstate, type TestEstate } from './auth/estate.js';
import { finish, pollMobile, post, startFlow, type Flow } from './auth/flow.js';

/** Ask the card reader as the login page's script does (Origin set as a browser sets it). */
async function readerSign(reader: string, origin: string, nonce: string): Promise<CardReaderResult> {
  const r = await fetch(`${reader}/v1/authenticate`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ challengeNonce: nonce }),
  });
  return (await r.json()) as CardReaderResult;
}

describe.each(storageBackends())('login service: OpenID Connect code flow + PKCE on $name', ({ url }) => {
  let estate: TestEstate;
  let card: EidToken;
  let reader: CardReader;
  let readerUrl: string;
  let pin = PINS.pin1;

  beforeAll(async () => {
    estate = await startTestEstate(url ? { databaseUrl: url } : {});
    card = await estate.person('id-card', { idCode: '38001085718' });
    reader = new CardReader({
      token: card,
      allowedOrigins: [new URL(estate.auth.issuer).origin],
      onRequest: (request) => reader.answer(request.id, pin),
    });
    readerUrl = await reader.listen(0);
  });
  afterAll(async () => {
    await reader?.close();
    await estate?.close();
  });

  async function idcardLogin(flow: Flow) {
    const challenge = await post(flow, '/idcard/challenge', {});
    expect(challenge.status).toBe(200);
    expect(Buffer.from(challenge.json.nonce, 'base64')).toHaveLength(32);
    const answer = await readerSign(readerUrl, new URL(estate.auth.issuer).origin, challenge.json.nonce);
    if (!answer.ok) return { status: 0, json: answer };
    return post(flow, '/idcard', { authToken: answer.token });
  }

  it('publishes discovery with the methods as scopes, acr values and S256 PKCE', async () => {
    const config = await oidc.discovery(new URL(estate.auth.issuer), 'riik-portal', 'x', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const meta = config.serverMetadata();
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'idcard', 'mid', 'smartid']));
    expect(meta.acr_values_supported).toEqual(['low', 'substantial', 'high']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.jwks_uri).toBeDefined();
  });

  it('logs in with the ID-card (Web eID token, OCSP) and issues a TARA-style ID token', async () => {
    const flow = await startFlow(estate.auth.issuer, {
      scope: 'openid idcard',
      acr_values: 'high',
      ui_locales: 'en',
    });
    expect(flow.html).toContain('Log in with ID-card');
    expect(flow.html).not.toContain('id="sid-form"');
    const result = await idcardLogin(flow);
    expect(result.status).toBe(200);
    const { claims, callback } = await finish(flow, result.json.redirect);
    expect(claims).toMatchObject({
      sub: 'EE38001085718',
      given_name: 'Jaak-Kristjan',
      family_name: 'Jõeorg',
      date_of_birth: '1980-01-08',
      amr: ['idcard'],
      acr: 'high',
      document_type: 'id-card',
      aud: 'riik-portal',
      iss: estate.auth.issuer,
    });
    // the authorization code is single use
    await expect(
      oidc.authorizationCodeGrant(flow.config, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code exchange without the PKCE verifier', async () => {
    const flow = await startFlow(estate.auth.issuer, { scope: 'openid idcard' });
    const result = await idcardLogin(flow);
    const { url: callback } = await flow.browser.follow(result.json.redirect);
    await expect(
      oidc.authorizationCodeGrant(flow.config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('logs in an e-resident with digi-ID through the ID-card path', async () => {
    const digiId = await estate.person('e-resident', { givenName: 'Ada', surname: 'Lovelace' });
    const eReader = new CardReader({
      token: digiId,
      allowedOrigins: [new URL(estate.auth.issuer).origin],
      onRequest: (r) => eReader.answer(r.id, PINS.pin1),
    });
    const eUrl = await eReader.listen(0);
    try {
      const flow = await startFlow(estate.auth.issuer);
      const challenge = await post(flow, '/idcard/challenge', {});
      const answer = await readerSign(eUrl, new URL(estate.auth.issuer).origin, challenge.json.nonce);
      expect(answer.ok).toBe(true);
      const result = await post(flow, '/idcard', { authToken: answer.ok && answer.token });
      const { claims } = await finish(flow, result.json.redirect);
      expect(claims).toMatchObject({
        given_name: 'Ada',
        family_name: 'Lovelace',
        document_type: 'e-resident',
        amr: ['idcard'],
      });
      expect(claims.sub).toBe(`EE${digiId.holder.idCode}`);
    } finally {
      await eReader.close();
    }
  });

  it('logs in with Smart-ID: the page and the app show the same verification code', async () => {
    const phone = await estate.person('smart-id', { givenName: 'Mari', surname: 'Maasikas' });
    const shown: string[] = [];
    const app = await startPhoneApp(estate, phone, shown);
    try {
      const flow = await startFlow(estate.auth.issuer, { scope: 'openid smartid' });
      const started = await post(flow, '/smartid', { idCode: phone.holder.idCode });
      expect(started.json.verificationCode).toMatch(/^\d{4}$/);
      const status = await pollMobile(flow);
      expect(shown).toEqual([started.json.verificationCode]);
      const { claims } = await finish(flow, status.redirect);
      expect(claims).toMatchObject({
        sub: `EE${phone.holder.idCode}`,
        given_name: 'Mari',
        amr: ['smartid'],
        acr: 'high',
      });
    } finally {
      await app.stop();
    }
  });

  it('logs in with Mobile-ID (phone number + code) and refuses a wrong phone number', async () => {
    const sim = await estate.person('mobile-id', { givenName: 'Tõnu', surname: 'Tamm' });
    const codes: string[] = [];
    const app = await startPhoneApp(estate, sim, codes, '+37200000766');
    try {
      const wrong = await startFlow(estate.auth.issuer, { scope: 'openid mid' });
      await post(wrong, '/mid', { idCode: sim.holder.idCode, phone: '+37200000001' });
      const refused = await pollMobile(wrong);
      expect(refused.error).toBe('NOT_MID_CLIENT');

      const flow = await startFlow(estate.auth.issuer, { scope: 'openid mid' });
      const started = await post(flow, '/mid', { idCode: sim.holder.idCode, phone: '+372 0000 0766' });
      const status = await pollMobile(flow);
      expect(codes).toEqual([started.json.verificationCode]);
      const { claims } = await finish(flow, status.redirect);
      expect(claims).toMatchObject({
        sub: `EE${sim.holder.idCode}`,
        amr: ['mID'],
        document_type: 'mobile-id',
      });
    } finally {
      await app.stop();
    }
  });

  it('refuses with a reason: wrong PIN with tries left, then revoked and suspended certificates', async () => {
    pin = '9999';
    const flow = await startFlow(estate.auth.issuer);
    const wrong = await idcardLogin(flow);
    expect(wrong.json).toEqual({ ok: false, error: 'PIN_INCORRECT', triesLeft: 2 });
    pin = PINS.pin1;
    await estate.caClient.changeStatus(card.certificate('auth').serialHex, 'suspend');
    const suspended = await idcardLogin(flow);
    expect(suspended).toEqual({ status: 401, json: { error: 'CERT_SUSPENDED' } });
    await estate.caClient.changeStatus(card.certificate('auth').serialHex, 'resume');
    const other = await estate.person('id-card');
    const otherReader = new CardReader({
      token: other,
      allowedOrigins: [new URL(estate.auth.issuer).origin],
      onRequest: (r) => otherReader.answer(r.id, PINS.pin1),
    });
    const otherUrl = await otherReader.listen(0);
    try {
      await estate.caClient.changeStatus(other.certificate('auth').serialHex, 'revoke', 'keyCompromise');
      const challenge = await post(flow, '/idcard/challenge', {});
      const answer = await readerSign(otherUrl, new URL(estate.auth.issuer).origin, challenge.json.nonce);
      const revoked = await post(flow, '/idcard', { authToken: answer.ok && answer.token });
      expect(revoked).toEqual({ status: 401, json: { error: 'CERT_REVOKED' } });
    } finally {
      await otherReader.close();
    }
    // and the person can still log in with the resumed card
    const ok = await idcardLogin(flow);
    expect(ok.status).toBe(200);
  });
});
