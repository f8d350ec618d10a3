import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { HttpProblem, type Route } from '@riik/http';
import type { ClientConfig } from './layout.js';
import { esc } from './login/page.js';

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  expires: number;
}

const COOKIE = 'riik_demo';

/**
 * A tiny e-service at /demo that logs people in through this very provider with openid-client
 * (code flow + PKCE, ID token checked against the JWKS): what an agency's portal does, here so
 * that a person can try the login right after `riik up`.
 */
export function demoRoutes(issuer: string, client: ClientConfig): Route[] {
  const pending = new Map<string, Pending>();
  let config: oidc.Configuration | undefined;
  const redirectUri = `${issuer}/demo/callback`;
  const configuration = async () => {
    if (!config) {
      config = await oidc.discovery(new URL(issuer), client.client_id, client.client_secret, undefined, {
        ...(issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      oidc.enableNonRepudiationChecks(config);
    }
    return config;
  };
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="/static/login.css"></head><body><main id="main"><h1>${esc(title)}</h1>${body}</main></body></html>`;

  return [
    {
      method: 'GET',
      path: '/demo',
      name: 'demo.start',
      handler: async ({ res, url }) => {
        const c = await configuration();
        const id = randomBytes(16).toString('base64url');
        const p: Pending = {
          verifier: oidc.randomPKCECodeVerifier(),
          state: oidc.randomState(),
          nonce: oidc.randomNonce(),
          expires: Date.now() + 10 * 60_000,
        };
        for (const [k, v] of pending) if (v.expires < Date.now()) pending.delete(k);
        if (pending.size > 10_000) throw new HttpProblem(503, 'BUSY', 'too many logins in progress');
        pending.set(id, p);
        const methods = (url.searchParams.get('methods') ?? '')
          .split(/[ ,]+/)
          .filter((m) => /^(idcard|mid|smartid)$/.test(m));
        const target = oidc.buildAuthorizationUrl(c, {
          redirect_uri: redirectUri,
          scope: ['openid', ...methods].join(' '),
          code_challenge: await oidc.calculatePKCECodeChallenge(p.verifier),
          code_challenge_method: 'S256',
          state: p.state,
          nonce: p.nonce,
          ui_locales: url.searchParams.get('lang') === 'en' ? 'en' : 'et',
          // as TARA: every visit is a fresh login, whatever session the browser has
          prompt: 'login',
        });
        res.writeHead(303, {
          location: target.href,
          'set-cookie': `${COOKIE}=${id}; Path=/demo; HttpOnly; SameSite=Lax; Max-Age=600`,
          'cache-control': 'no-store',
        });
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/demo/callback',
      name: 'demo.callback',
      handler: async ({ req, res, url }) => {
        const id = /(?:^|;\s*)riik_demo=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
        const p = id ? pending.get(id) : undefined;
        if (id) pending.delete(id);
        const send = (status: number, html: string) => {
          res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(html);
        };
        if (!p) return send(400, page('Login expired', '<p><a href="/demo">Start again</a></p>'));
        if (url.searchParams.get('error')) {
          return send(
            200,
            page(
              'Not logged in',
              `<p id="result">${esc(url.searchParams.get('error_description') ?? url.searchParams.get('error')!)}</p><p><a href="/demo">Start again</a></p>`,
            ),
          );
        }
        const tokens = await oidc.authorizationCodeGrant(
          await configuration(),
          new URL(url.pathname + url.search, issuer),
          {
            pkceCodeVerifier: p.verifier,
            expectedState: p.state,
            expectedNonce: p.nonce,
          },
        );
        const claims = tokens.claims()!;
        const rows = Object.entries(claims)
          .filter(([k]) => !['at_hash', 'nonce', 'sid'].includes(k))
          .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(JSON.stringify(v))}</td></tr>`)
          .join('');
        send(
          200,
          page(
            'Logged in',
            `<p id="result">Tere, <strong>${esc(typeof claims.given_name === 'string' ? claims.given_name : '')} ${esc(typeof claims.family_name === 'string' ? claims.family_name : '')}</strong> (${esc(claims.sub)}).</p><table><caption>ID token claims</caption>${rows}</table><p><a href="/demo">Log in again</a></p>`,
          ),
        );
      },
    },
  ];
}
