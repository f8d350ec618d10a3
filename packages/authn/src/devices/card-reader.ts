import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EidError, type EidToken } from '@riik/eid';
import { createAuthToken } from '../webeid/create.js';
import type { WebEidAuthToken } from '../webeid/token.js';
import { PIN_PAGE_HTML } from './pin-page.js';

/** A login page's request waiting for the holder's PIN1. */
export interface PinRequest {
  id: string;
  /** The origin of the page that asked, as the browser reported it. */
  origin: string;
  holder: string;
  /** Set after a wrong PIN in this request's dialog. */
  triesLeft?: number;
}

/** What the login page gets back. */
export type CardReaderResult =
  | { ok: true; token: WebEidAuthToken }
  | {
      ok: false;
      error: 'USER_CANCELLED' | 'PIN_INCORRECT' | 'PIN_BLOCKED' | 'TIMEOUT' | 'BUSY';
      triesLeft?: number;
    };

export interface CardReaderOptions {
  token: EidToken;
  /** Exact origins of the login pages allowed to ask (e.g. http://127.0.0.1:8704). */
  allowedOrigins: readonly string[];
  /** Called when a request needs a PIN (e.g. the terminal prompt); answer with `answer()`. */
  onRequest?: (request: PinRequest) => void;
  /** Called when a request is over (answered, cancelled or timed out). */
  onDone?: (request: PinRequest, result: CardReaderResult) => void;
  /** How long a request waits for the PIN (default 2 min). */
  timeoutMs?: number;
}

const NONCE = /^[A-Za-z0-9+/_=-]{43,128}$/;
const MAX_BODY = 4096;

interface Pending {
  request: PinRequest;
  /** The PIN, null when the holder cancelled, TIMED_OUT when nobody answered in time. */
  resolve: (pin: string | null | typeof TIMED_OUT) => void;
}

const TIMED_OUT = Symbol('timed out');

/**
 * riik's card reader: the part of Web eID that runs on the person's machine (browser extension
 * plus native app) for riik's software eID token. The login page asks it over loopback HTTP to
 * authenticate; it asks the holder for PIN1 (in the terminal, or on its own PIN page, which only
 * a holder of the page key can open), then signs `hash(origin) || hash(nonce)` with the card's
 * authentication key. The PIN goes from the holder to the token and nowhere else.
 *
 * The origin signed is the one the browser put in the request's Origin header, never a value the
 * page chose: that is what stops a phishing site from relaying a challenge of the real one.
 */
export class CardReader {
  /** Key of the PIN page (printed for the holder); keeps other pages from submitting PINs. */
  readonly pageKey = randomBytes(16).toString('hex');
  private server?: Server;
  private pending?: Pending;
  private ownOrigins: string[] = [];

  constructor(private readonly options: CardReaderOptions) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => send(res, 500, { error: 'INTERNAL' }));
    });
    server.requestTimeout = (this.options.timeoutMs ?? 120_000) + 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const actual = (server.address() as AddressInfo).port;
    this.ownOrigins = [`http://127.0.0.1:${actual}`, `http://localhost:${actual}`];
    return this.ownOrigins[0]!;
  }

  /** URL of the PIN page for the holder. */
  get pinPageUrl(): string {
    return `${this.ownOrigins[0]}/pin#${this.pageKey}`;
  }

  /** The request waiting for a PIN, if any. */
  get current(): PinRequest | undefined {
    return this.pending?.request;
  }

  /** Give the PIN (or null to cancel) for the waiting request; false when no such request. */
  answer(requestId: string, pin: string | null): boolean {
    const p = this.pending;
    if (!p || p.request.id !== requestId) return false;
    this.pending = undefined;
    p.resolve(pin);
    return true;
  }

  async close(): Promise<void> {
    if (this.pending) this.answer(this.pending.request.id, null);
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    if (url.pathname === '/v1/authenticate') {
      if (!origin || !this.options.allowedOrigins.includes(origin)) {
        return send(res, 403, { error: 'ORIGIN_NOT_ALLOWED' });
      }
      const cors = {
        'access-control-allow-origin': origin,
        vary: 'Origin',
      };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
          'access-control-allow-private-network': 'true',
          'access-control-max-age': '600',
        });
        return void res.end();
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'METHOD_NOT_ALLOWED' }, cors);
      const body = await readJsonBody(req);
      const nonce = (body as { challengeNonce?: unknown } | undefined)?.challengeNonce;
      if (typeof nonce !== 'string' || !NONCE.test(nonce))
        return send(res, 400, { error: 'BAD_REQUEST' }, cors);
      return send(res, 200, await this.authenticate(origin, nonce), cors);
    }
    if (url.pathname === '/pin' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      return void res.end(PIN_PAGE_HTML);
    }
    if (url.pathname === '/pin/api' && req.method === 'POST') {
      // Only the reader's own PIN page (same origin) holding the page key may read or answer.
      if (!origin || !this.ownOrigins.includes(origin))
        return send(res, 403, { error: 'ORIGIN_NOT_ALLOWED' });
      const body = (await readJsonBody(req)) as {
        key?: unknown;
        id?: unknown;
        pin?: unknown;
        cancel?: unknown;
      };
      if (typeof body?.key !== 'string' || !sameSecret(body.key, this.pageKey)) {
        return send(res, 403, { error: 'BAD_KEY' });
      }
      if (body.id === undefined) return send(res, 200, { request: this.pending?.request ?? null });
      if (typeof body.id !== 'string') return send(res, 400, { error: 'BAD_REQUEST' });
      const pin = body.cancel === true ? null : typeof body.pin === 'string' ? body.pin : undefined;
      if (pin === undefined) return send(res, 400, { error: 'BAD_REQUEST' });
      const id = body.id;
      const done = new Promise<CardReaderResult>((resolve) => this.doneWaiters.set(id, resolve));
      if (!this.answer(id, pin)) {
        this.doneWaiters.delete(id);
        return send(res, 409, { error: 'NO_SUCH_REQUEST' });
      }
      const result = await done;
      return send(
        res,
        200,
        result.ok ? { ok: true } : { ok: false, error: result.error, triesLeft: result.triesLeft },
      );
    }
    send(res, 404, { error: 'NOT_FOUND' });
  }

  private readonly doneWaiters = new Map<string, (result: CardReaderResult) => void>();

  /** One authentication: wait for the PIN, try it once, sign. */
  private async authenticate(origin: string, challengeNonce: string): Promise<CardReaderResult> {
    if (this.pending) return { ok: false, error: 'BUSY' };
    const token = this.options.token;
    const holder = `${token.holder.givenName} ${token.holder.surname} (${token.holder.idCode})`;
    const request: PinRequest = { id: randomUUID(), origin, holder };
    const tries = token.triesLeft().pin1;
    if (tries < 3) request.triesLeft = tries;
    let result: CardReaderResult;
    if (tries === 0) result = { ok: false, error: 'PIN_BLOCKED', triesLeft: 0 };
    else {
      const pin = await new Promise<string | null | typeof TIMED_OUT>((resolve) => {
        const timer = setTimeout(() => {
          if (this.pending?.request.id !== request.id) return;
          this.pending = undefined;
          resolve(TIMED_OUT);
        }, this.options.timeoutMs ?? 120_000);
        this.pending = {
          request,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        this.options.onRequest?.(request);
      });
      if (pin === TIMED_OUT) result = { ok: false, error: 'TIMEOUT' };
      else if (pin === null) result = { ok: false, error: 'USER_CANCELLED' };
      else result = await this.sign(origin, challengeNonce, pin);
    }
    this.doneWaiters.get(request.id)?.(result);
    this.doneWaiters.delete(request.id);
    this.options.onDone?.(request, result);
    return result;
  }

  private async sign(origin: string, challengeNonce: string, pin: string): Promise<CardReaderResult> {
    const token = this.options.token;
    try {
      const key = await token.unlock('auth', pin);
      const authToken = await createAuthToken({
        origin,
        challengeNonce,
        certificate: token.certificate('auth'),
        signDigest: (digest) => key.signDigest(digest, 'raw'),
      });
      return { ok: true, token: authToken };
    } catch (err) {
      if (err instanceof EidError) {
        if (err.code === 'PIN_BLOCKED') return { ok: false, error: 'PIN_BLOCKED', triesLeft: 0 };
        if (err.code === 'PIN_INCORRECT' || err.code === 'PIN_FORMAT') {
          return { ok: false, error: 'PIN_INCORRECT', triesLeft: err.triesLeft ?? token.triesLeft().pin1 };
        }
      }
      throw err;
    }
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
