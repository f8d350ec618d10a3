import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { Browser, CLIENT, csrfOf } from './estate.js';

export interface Flow {
  config: oidc.Configuration;
  verifier: string;
  state: string;
  nonce: string;
  browser: Browser;
  uid: string;
  csrf: string;
  html: string;
}

/** An e-service (openid-client) sends the person to the login page; returns the page. */
export async function startFlow(issuer: string, params: Record<string, string> = {}): Promise<Flow> {
  const config = await oidc.discovery(new URL(issuer), CLIENT.client_id, CLIENT.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  // verify the ID token's signature with the provider's JWKS, not only its claims
  oidc.enableNonRepudiationChecks(config);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  const browser = new Browser(new URL(issuer).origin);
  const { response, url: page } = await browser.follow(url);
  expect(response.status).toBe(200);
  expect(page.pathname).toMatch(/^\/login\/[\w-]+$/);
  const html = await response.text();
  return {
    config,
    verifier,
    state,
    nonce,
    browser,
    uid: page.pathname.split('/')[2]!,
    csrf: csrfOf(html),
    html,
  };
}

/** POST JSON to a login endpoint as the page's script does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked by the tests
export async function post(flow: Flow, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await flow.browser.fetch(`/login/${flow.uid}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': flow.csrf },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Follow the login's redirect back to the e-service and exchange the code (PKCE, state, nonce). */
export async function finish(flow: Flow, redirect: string) {
  const callback = await callbackOf(flow, redirect);
  const tokens = await oidc.authorizationCodeGrant(flow.config, callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  return { tokens, claims: tokens.claims()!, callback };
}

export async function callbackOf(flow: Flow, redirect: string): Promise<URL> {
  const { url } = await flow.browser.follow(redirect);
  expect(url.origin + url.pathname).toBe(CLIENT.redirect_uri);
  return url;
}

/** Poll the Mobile-ID / Smart-ID status as the page's script does, until it is decided. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked by the tests
export async function pollMobile(flow: Flow): Promise<any> {
  for (;;) {
    const response = await flow.browser.fetch(`/login/${flow.uid}/mobile/status`, {
      headers: { 'x-csrf-token': flow.csrf },
    });
    const status = (await response.json()) as { state?: string };
    if (status.state !== 'RUNNING') return status;
  }
}
