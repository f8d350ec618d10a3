import type { Kysely } from 'kysely';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AuthDatabase } from '../db/schema.js';
import type { AuthConfig, AuthSecrets } from '../layout.js';
import { pickLang } from '../login/i18n.js';
import { renderErrorPage } from '../login/page.js';
import { prepareQuery } from '@riik/storage';
import { kyselyAdapterFactory } from './adapter.js';
import { CookieKeys } from './cookie-keys.js';

/** Claims of the ID token, as TARA issues them (plus riik's document_type). */
export const ID_TOKEN_CLAIMS = [
  'sub',
  'given_name',
  'family_name',
  'date_of_birth',
  'document_type',
] as const;

/** Lifetimes in seconds: short, as a login service's artefacts should be. */
const TTL = {
  AuthorizationCode: 60,
  Interaction: 10 * 60,
  Session: 60 * 60,
  Grant: 60 * 60,
  IdToken: 10 * 60,
  AccessToken: 10 * 60,
};

/**
 * oidc-provider's default interaction policy less the login prompt's two checks of an essential
 * `acr` requested in the `claims` parameter. riik does not enable that parameter
 * (features.claimsParameter), so those checks can never ask for a login; yet each reads the
 * absent `claims.id_token` through a helper that throws and catches a TypeError, four times a
 * login, which cost a fifth of a millisecond of the service's CPU per login. Enabling the claims
 * parameter means keeping them.
 */
function interactionPolicyWithoutClaimsParameter(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  for (const check of ['essential_acrs', 'essential_acr']) {
    if (!login.checks.get(check)) throw new Error(`oidc-provider has no ${check} check`);
    login.checks.remove(check);
  }
  return policy;
}

/**
 * panva's oidc-provider configured as riik's TARA: authorization code flow with PKCE (S256)
 * only, static clients from the configuration, scopes that choose the login methods, acr_values
 * low/substantial/high, ID-token claims from the person's certificate. The login itself happens
 * on riik's page (/login/:uid).
 */
export function createProvider(
  issuer: string,
  config: AuthConfig,
  secrets: AuthSecrets,
  db: Kysely<AuthDatabase>,
): Provider {
  const personBySub = prepareQuery(db, (v: { sub: string }) =>
    db.selectFrom('people').selectAll().where('sub', '=', v.sub),
  );
  const configuration: Configuration = {
    adapter: kyselyAdapterFactory(db),
    clients: config.clients.map((c) => ({
      client_id: c.client_id,
      ...(c.client_name ? { client_name: c.client_name } : {}),
      ...(c.client_secret ? { client_secret: c.client_secret } : {}),
      redirect_uris: c.redirect_uris,
      ...(c.post_logout_redirect_uris ? { post_logout_redirect_uris: c.post_logout_redirect_uris } : {}),
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    })),
    jwks: secrets.jwks,
    cookies: {
      keys: new CookieKeys(secrets.cookieKeys),
      long: { signed: true, sameSite: 'lax', httpOnly: true },
      short: { signed: true, sameSite: 'lax', httpOnly: true },
    },
    scopes: ['openid', 'idcard', 'mid', 'smartid'],
    // acr and amr belong to every login (TARA always returns them): tie them to `openid`.
    claims: {
      auth_time: null,
      sid: null,
      openid: [...ID_TOKEN_CLAIMS, 'acr', 'amr'],
    },
    // TARA puts the person's claims in the ID token itself.
    conformIdTokenClaims: false,
    acrValues: ['low', 'substantial', 'high'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // off, and the interaction policy relies on it (see interactionPolicyWithoutClaimsParameter)
      claimsParameter: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    ttl: TTL,
    interactions: {
      url: (_ctx, interaction) => `/login/${interaction.uid}`,
      policy: interactionPolicyWithoutClaimsParameter(),
    },
    findAccount: async (_ctx, sub) => {
      const person = (await personBySub({ sub })).rows[0];
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          given_name: person.given_name,
          family_name: person.family_name,
          ...(person.date_of_birth ? { date_of_birth: person.date_of_birth } : {}),
          ...(person.document_type ? { document_type: person.document_type } : {}),
        }),
      };
    },
    // A state login service has no consent screen: the person chose the e-service, which asked
    // for these scopes. The grant covers exactly what was requested.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const oidc = ctx.oidc;
      const accountId = oidc.session?.accountId;
      if (!oidc.client || !accountId) return undefined;
      const existingId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client.clientId);
      const grant =
        (existingId ? await oidc.provider.Grant.find(existingId) : undefined) ??
        new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId });
      grant.addOIDCScope([...(oidc.requestParamScopes ?? new Set(['openid']))].join(' '));
      grant.addOIDCClaims([...ID_TOKEN_CLAIMS, 'acr', 'amr']);
      await grant.save();
      return grant;
    },
    renderError: (ctx, out) => {
      const lang = pickLang(String(ctx.get('accept-language') || ''));
      ctx.type = 'html';
      ctx.body = renderErrorPage(lang, out.error_description ?? out.error, out.error);
    },
    clientBasedCORS: () => false,
  };
  return new Provider(issuer, configuration);
}
