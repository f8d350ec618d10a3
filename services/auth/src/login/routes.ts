import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { checkIdCode, fromBase64 } from '@riik/core';
import {
  AuthnError,
  decodeCertificate,
  mobileIdVerificationCode,
  personOfCertificate,
  smartIdVerificationCode,
  validateAuthCertificate,
  verifyDigestSignature,
  type PersonIdentity,
  type RevocationChecker,
  type WebEidValidator,
} from '@riik/authn';
import { HttpProblem, readBody, sendJson, type RequestContext, type Route } from '@riik/http';
import { asBytes } from '@riik/storage';
import { DOCUMENT_POLICY, type Certificate } from '@riik/pki';
import type { AuthDatabase } from '../db/schema.js';
import { pickLang, refusalMessage, type Lang } from './i18n.js';
import { renderErrorPage, renderLoginPage, type LoginMethod } from './page.js';
import { loginQueries } from './queries.js';
import type { RateLimiter } from './rate-limit.js';
import { NoAccountError, type SkClient } from './sk-client.js';
import { STATIC } from './static.js';

export interface LoginDeps {
  provider: Provider;
  db: Kysely<AuthDatabase>;
  issuer: string;
  cardReaderUrl: string;
  /** ID-card, digi-ID and e-resident digi-ID tokens. */
  webEid: WebEidValidator;
  /** Trust and revocation for Mobile-ID / Smart-ID certificates. */
  trustedCas: readonly Certificate[];
  revocation: RevocationChecker;
  sk: SkClient;
  perIp: RateLimiter;
  perPerson: RateLimiter;
  /** Key for CSRF tokens (derived per login from the interaction id). */
  csrfKey: Uint8Array;
  now: () => Date;
}

const BODY_LIMIT = 16 * 1024;
const CHALLENGE_TTL_MS = 5 * 60_000;
const MOBILE_TTL_MS = 150_000;
const STATUS_WAIT_MS = 20_000;
const ALL_METHODS: LoginMethod[] = ['idcard', 'smartid', 'mid'];
const AMR: Record<LoginMethod, string> = { idcard: 'idcard', mid: 'mID', smartid: 'smartid' };
/** Level of assurance of each method (eIDAS): all of riik's are high, as in TARA. */
const ACR: Record<LoginMethod, 'high'> = { idcard: 'high', mid: 'high', smartid: 'high' };

/** A refusal the page shows: a code from the refusal table (and tries left for PINs). */
class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly status = 400,
  ) {
    super(code);
  }
}

const SECURITY_HEADERS = (readerUrl: string) => ({
  'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ${new URL(readerUrl).origin}; base-uri 'none'; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

/** The login page and its method endpoints, all under /login/:uid (the interaction cookie's path). */
export function loginRoutes(deps: LoginDeps): Route[] {
  const { provider, db } = deps;
  const q = loginQueries(db);
  const issuerOrigin = new URL(deps.issuer).origin;
  const pageHeaders = {
    ...SECURITY_HEADERS(deps.cardReaderUrl),
    'content-type': 'text/html; charset=utf-8',
  };

  /** Certificate (base64) → identification code, so rate limiting does not decode it every time. */
  const claimedCache = new Map<string, string | undefined>();
  const csrfFor = (uid: string) =>
    createHmac('sha256', deps.csrfKey).update(`csrf:${uid}`).digest('base64url');

  async function details(req: IncomingMessage, res: ServerResponse, uid: string) {
    let d;
    try {
      d = await provider.interactionDetails(req, res);
    } catch {
      throw new Refusal('CHALLENGE_MISSING', 400);
    }
    if (d.uid !== uid) throw new Refusal('CHALLENGE_MISSING', 400);
    return d;
  }

  function methodsOf(scope: unknown): LoginMethod[] {
    const asked = (typeof scope === 'string' ? scope : '').split(' ');
    const chosen = ALL_METHODS.filter((m) => asked.includes(m));
    return chosen.length > 0 ? chosen : ALL_METHODS;
  }

  function langOf(ctx: RequestContext, params: Record<string, unknown>): Lang {
    return pickLang(
      ctx.url.searchParams.get('lang'),
      params.ui_locales as string,
      ctx.req.headers['accept-language'],
    );
  }

  /** POSTs must come from our own page: same Origin and the login's CSRF token. */
  function checkPost(req: IncomingMessage, uid: string, formToken?: string): void {
    if (req.headers.origin !== issuerOrigin)
      throw new HttpProblem(403, 'BAD_ORIGIN', 'cross-origin request refused');
    const given = Buffer.from(String(req.headers['x-csrf-token'] ?? formToken ?? ''));
    const expected = Buffer.from(csrfFor(uid));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpProblem(403, 'BAD_CSRF_TOKEN', 'the login form token is missing or wrong');
    }
  }

  function limitIp(req: IncomingMessage): void {
    if (!deps.perIp.hit(`ip:${req.socket.remoteAddress ?? ''}`)) throw new Refusal('RATE_LIMITED', 429);
  }
  function limitPerson(idCode: string): void {
    if (!deps.perPerson.hit(`person:${idCode}`)) throw new Refusal('RATE_LIMITED', 429);
  }

  async function readInput(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req, BODY_LIMIT);
    const type = req.headers['content-type'] ?? '';
    if (/^application\/json\b/i.test(type)) {
      try {
        const v: unknown = JSON.parse(raw.toString('utf8'));
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {
        // fall through
      }
      throw new HttpProblem(400, 'MALFORMED_JSON', 'request body is not a JSON object');
    }
    if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
      return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    }
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected JSON or a form');
  }

  async function finishLogin(
    interaction: Interaction,
    person: PersonIdentity,
    method: LoginMethod,
  ): Promise<string> {
    const sub = `${person.country}${person.idCode}`;
    await q.storePerson({
      sub,
      given_name: person.givenName,
      family_name: person.surname,
      date_of_birth: person.dateOfBirth ?? null,
      document_type: person.documentType ?? null,
      updated_at: deps.now().getTime(),
    });
    // What provider.interactionResult does (without merging an earlier submission), on the
    // interaction this request has already loaded: it would look up the cookie and the row again.
    interaction.result = {
      login: { accountId: sub, acr: ACR[method], amr: [AMR[method]], remember: false },
    };
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    return interaction.returnTo;
  }

  /** Run a JSON endpoint: refusals become `{error}` with a status; the page explains them. */
  const json =
    (fn: (ctx: RequestContext, uid: string) => Promise<unknown>) =>
    async (ctx: RequestContext): Promise<void> => {
      const uid = ctx.params.uid!;
      try {
        sendJson(ctx.res, 200, await fn(ctx, uid), { 'cache-control': 'no-store' });
      } catch (err) {
        const refusal = toRefusal(err, ctx);
        if (!refusal) throw err;
        sendJson(ctx.res, refusal.status, { error: refusal.code }, { 'cache-control': 'no-store' });
      }
    };

  function toRefusal(err: unknown, ctx: RequestContext): Refusal | undefined {
    if (err instanceof Refusal) return err;
    if (err instanceof AuthnError) {
      ctx.log.info({ code: err.code, reason: err.message }, 'login refused');
      return new Refusal(err.code, 401);
    }
    if (err instanceof NoAccountError) return new Refusal('NO_ACCOUNT', 401);
    if (err instanceof HttpProblem) return undefined;
    if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('SK_')) {
      ctx.log.warn({ err: err.message }, 'SK service failed');
      return new Refusal('SERVICE_UNAVAILABLE', 503);
    }
    return undefined;
  }

  // ---- ID-card ------------------------------------------------------------------------------

  async function challenge(ctx: RequestContext, uid: string) {
    checkPost(ctx.req, uid);
    limitIp(ctx.req);
    const d = await details(ctx.req, ctx.res, uid);
    if (!methodsOf(d.params.scope).includes('idcard')) throw new Refusal('METHOD_NOT_ALLOWED', 403);
    // 256 bits from the CSPRNG, base64 (44 characters), as Web eID's challenge nonce
    const nonce = randomBytes(32).toString('base64');
    await q.storeChallenge({ uid, nonce, expires_at: deps.now().getTime() + CHALLENGE_TTL_MS });
    return { nonce };
  }

  async function idcard(ctx: RequestContext, uid: string) {
    checkPost(ctx.req, uid);
    limitIp(ctx.req);
    const input = await readInput(ctx.req);
    const d = await details(ctx.req, ctx.res, uid);
    if (!methodsOf(d.params.scope).includes('idcard')) throw new Refusal('METHOD_NOT_ALLOWED', 403);
    // Single use: the challenge is taken (deleted, in the same statement that reads it) before
    // anything else, whatever the outcome; of two racing attempts only one gets it.
    const stored = (await q.takeChallenge({ uid })).rows[0];
    if (!stored || stored.expires_at <= deps.now().getTime()) throw new Refusal('CHALLENGE_MISSING');
    const token =
      typeof input.authToken === 'string' ? input.authToken : JSON.stringify(input.authToken ?? null);
    const claimed = claimedPerson(input.authToken, claimedCache);
    if (claimed) limitPerson(claimed);
    const validated = await deps.webEid.validate(token, issuerOrigin, stored.nonce);
    if (!validated.person) throw new AuthnError('CERT_POLICY', 'the certificate names no person');
    ctx.log.info(
      {
        method: 'idcard',
        documentType: validated.person.documentType,
        serial: validated.certificate.serialHex,
      },
      'authenticated',
    );
    return { redirect: await finishLogin(d, validated.person, 'idcard') };
  }

  // ---- Mobile-ID and Smart-ID ----------------------------------------------------------------

  async function startMobile(
    ctx: RequestContext,
    uid: string,
    method: 'smartid' | 'mid',
    input: Record<string, unknown>,
  ) {
    limitIp(ctx.req);
    const d = await details(ctx.req, ctx.res, uid);
    if (!methodsOf(d.params.scope).includes(method)) throw new Refusal('METHOD_NOT_ALLOWED', 403);
    const idCode = text(input.idCode).trim();
    if (!checkIdCode(idCode).valid) throw new Refusal('BAD_ID_CODE');
    const phone = text(input.phone).replace(/[\s-]/g, '');
    if (method === 'mid' && !/^\+[0-9]{7,15}$/.test(phone)) throw new Refusal('BAD_PHONE');
    limitPerson(idCode);
    const client = await provider.Client.find(String(d.params.client_id));
    const displayText = `riik: ${client?.clientName ?? String(d.params.client_id)}`;
    let hash: Uint8Array;
    let code: string;
    let session: string;
    if (method === 'smartid') {
      // Smart-ID: SHA-512 of 64 random bytes; the code is SHA-256-based over that hash
      hash = new Uint8Array(createHash('sha512').update(randomBytes(64)).digest());
      code = smartIdVerificationCode(hash);
      session = await deps.sk.startSmartId(idCode, hash, 'SHA512', displayText);
    } else {
      hash = new Uint8Array(createHash('sha256').update(randomBytes(32)).digest());
      code = mobileIdVerificationCode(hash);
      const lang = pickLang(d.params.ui_locales as string) === 'en' ? 'ENG' : 'EST';
      session = await deps.sk.startMobileId(idCode, phone, hash, 'SHA256', displayText, lang);
    }
    const row = {
      method,
      sk_session: session,
      id_code: idCode,
      hash,
      verification_code: code,
      expires_at: deps.now().getTime() + MOBILE_TTL_MS,
    };
    await db
      .insertInto('login_mobile')
      .values({ uid, ...row })
      .onConflict((oc) => oc.column('uid').doUpdateSet(row))
      .execute();
    return { verificationCode: code };
  }

  /** Long-poll the phone's answer; on completion verify it as TARA does and finish the login. */
  async function mobileStatus(ctx: RequestContext, uid: string, waitMs: number): Promise<object> {
    const d = await details(ctx.req, ctx.res, uid);
    const row = (await q.pendingMobile({ uid })).rows[0];
    if (!row) throw new Refusal('CHALLENGE_MISSING');
    const method = row.method as 'smartid' | 'mid';
    let result: string | undefined;
    let certB64: string | undefined;
    let signatureB64: string | undefined;
    if (method === 'smartid') {
      const s = await deps.sk.smartIdStatus(row.sk_session, waitMs);
      if (s.state === 'RUNNING') return { state: 'RUNNING' };
      result = s.result?.endResult;
      certB64 = s.cert?.value;
      signatureB64 = s.signature?.value;
    } else {
      const s = await deps.sk.mobileIdStatus(row.sk_session, waitMs);
      if (s.state === 'RUNNING') return { state: 'RUNNING' };
      result = s.result;
      certB64 = s.cert;
      signatureB64 = s.signature?.value;
    }
    const taken = await db
      .deleteFrom('login_mobile')
      .where('uid', '=', uid)
      .where('sk_session', '=', row.sk_session)
      .executeTakeFirst();
    if (Number(taken.numDeletedRows) !== 1) throw new Refusal('CHALLENGE_MISSING');
    if (result !== 'OK')
      throw new Refusal(
        result === 'USER_CANCELLED' ? 'USER_REFUSED' : (result ?? 'SERVICE_UNAVAILABLE'),
        401,
      );
    if (!certB64 || !signatureB64) throw new Refusal('SERVICE_UNAVAILABLE', 502);
    const cert = decodeCertificate(certB64);
    const kind = method === 'smartid' ? 'smart-id' : 'mobile-id';
    const { person } = await validateAuthCertificate(cert, {
      trustedCaCertificates: deps.trustedCas,
      allowedPolicies: [DOCUMENT_POLICY[kind].auth],
      disallowedPolicies: [],
      revocation: deps.revocation,
      now: deps.now,
    });
    if (!verifyDigestSignature(cert, asBytes(row.hash), fromBase64(signatureB64))) {
      throw new AuthnError('SIGNATURE_INVALID', 'the phone signature does not verify over our hash');
    }
    if (!person || person.idCode !== row.id_code) throw new Refusal('PERSON_MISMATCH', 401);
    ctx.log.info({ method, serial: cert.serialHex }, 'authenticated');
    return { redirect: await finishLogin(d, person, method) };
  }

  // ---- pages --------------------------------------------------------------------------------

  async function page(ctx: RequestContext, extra: { error?: string; idCode?: string; phone?: string } = {}) {
    const uid = ctx.params.uid!;
    let d;
    try {
      d = await details(ctx.req, ctx.res, uid);
    } catch {
      return sendHtml(
        ctx.res,
        400,
        renderErrorPage(
          pickLang(ctx.url.searchParams.get('lang')),
          refusalMessage(pickLang(ctx.url.searchParams.get('lang')), 'CHALLENGE_MISSING'),
        ),
      );
    }
    const lang = langOf(ctx, d.params);
    const client = await provider.Client.find(String(d.params.client_id));
    const pending = (await q.pendingMobile({ uid })).rows[0];
    const html = renderLoginPage({
      lang,
      uid,
      csrf: csrfFor(uid),
      clientName: client?.clientName ?? String(d.params.client_id),
      methods: methodsOf(d.params.scope),
      cardReaderUrl: deps.cardReaderUrl,
      ...(extra.error ? { error: refusalMessage(lang, extra.error) } : {}),
      ...(pending && !extra.error
        ? {
            pending: {
              method: pending.method as 'smartid' | 'mid',
              verificationCode: pending.verification_code,
            },
          }
        : {}),
      ...(extra.idCode ? { idCode: extra.idCode } : {}),
      ...(extra.phone ? { phone: extra.phone } : {}),
    });
    sendHtml(ctx.res, extra.error ? 400 : 200, html);
  }

  function sendHtml(res: ServerResponse, status: number, html: string) {
    res.writeHead(status, pageHeaders);
    res.end(html);
  }

  /** A method start from a form (no script) or from the page's script (JSON). */
  const startRoute = (method: 'smartid' | 'mid') => async (ctx: RequestContext) => {
    const uid = ctx.params.uid!;
    const isJson = /^application\/json\b/i.test(ctx.req.headers['content-type'] ?? '');
    const input = await readInput(ctx.req);
    checkPost(ctx.req, uid, typeof input.csrf === 'string' ? input.csrf : undefined);
    if (isJson) return json((c, u) => startMobile(c, u, method, input))(ctx);
    try {
      await startMobile(ctx, uid, method, input);
      ctx.res.writeHead(303, { location: `/login/${encodeURIComponent(uid)}` }).end();
    } catch (err) {
      const refusal = toRefusal(err, ctx);
      if (!refusal) throw err;
      await page(ctx, {
        error: refusal.code,
        idCode: text(input.idCode),
        phone: text(input.phone),
      });
    }
  };

  return [
    { method: 'GET', path: '/login/:uid', name: 'login.page', handler: (ctx) => page(ctx) },
    {
      method: 'POST',
      path: '/login/:uid/idcard/challenge',
      name: 'login.idcard.challenge',
      handler: json(challenge),
    },
    { method: 'POST', path: '/login/:uid/idcard', name: 'login.idcard', handler: json(idcard) },
    { method: 'POST', path: '/login/:uid/smartid', name: 'login.smartid', handler: startRoute('smartid') },
    { method: 'POST', path: '/login/:uid/mid', name: 'login.mid', handler: startRoute('mid') },
    {
      method: 'GET',
      path: '/login/:uid/mobile/status',
      name: 'login.mobile.status',
      handler: json(async (ctx, uid) => {
        if (ctx.req.headers['x-csrf-token'] !== csrfFor(uid))
          throw new HttpProblem(403, 'BAD_CSRF_TOKEN', 'token missing');
        return mobileStatus(ctx, uid, STATUS_WAIT_MS);
      }),
    },
    {
      method: 'POST',
      path: '/login/:uid/mobile/continue',
      name: 'login.mobile.continue',
      handler: async (ctx) => {
        const uid = ctx.params.uid!;
        const input = await readInput(ctx.req);
        checkPost(ctx.req, uid, typeof input.csrf === 'string' ? input.csrf : undefined);
        try {
          const result = (await mobileStatus(ctx, uid, STATUS_WAIT_MS)) as { redirect?: string };
          ctx.res.writeHead(303, { location: result.redirect ?? `/login/${encodeURIComponent(uid)}` }).end();
        } catch (err) {
          const refusal = toRefusal(err, ctx);
          if (!refusal) throw err;
          await page(ctx, { error: refusal.code });
        }
      },
    },
    {
      method: 'POST',
      path: '/login/:uid/cancel',
      name: 'login.cancel',
      handler: async (ctx) => {
        const uid = ctx.params.uid!;
        const input = await readInput(ctx.req);
        checkPost(ctx.req, uid, typeof input.csrf === 'string' ? input.csrf : undefined);
        await details(ctx.req, ctx.res, uid).catch(() => {
          throw new HttpProblem(400, 'LOGIN_EXPIRED', 'this login has expired');
        });
        await provider.interactionFinished(
          ctx.req,
          ctx.res,
          { error: 'access_denied', error_description: 'the person cancelled the login' },
          { mergeWithLastSubmission: false },
        );
      },
    },
    {
      method: 'GET',
      path: '/static/:file',
      name: 'static',
      handler: ({ res, params }) => {
        const file = STATIC[params.file!];
        if (!file) throw new HttpProblem(404, 'NOT_FOUND', 'no such file');
        res.writeHead(200, {
          'content-type': file.type,
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
        });
        res.end(file.body);
      },
    },
  ];
}

/** A form or JSON field as text (anything else is empty). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The identification code a token's certificate claims (before validation: for rate limiting
 * only). The token as posted: an object (the page's script), or its JSON text.
 */
function claimedPerson(token: unknown, cache: Map<string, string | undefined>): string | undefined {
  let cert: unknown;
  try {
    const parsed: unknown = typeof token === 'string' ? JSON.parse(token) : token;
    cert = (parsed as { unverifiedCertificate?: unknown } | null)?.unverifiedCertificate;
  } catch {
    return undefined;
  }
  if (typeof cert !== 'string') return undefined;
  if (cache.has(cert)) return cache.get(cert);
  let idCode: string | undefined;
  try {
    idCode = personOfCertificate(decodeCertificate(cert))?.idCode;
  } catch {
    idCode = undefined;
  }
  if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
  cache.set(cert, idCode);
  return idCode;
}
