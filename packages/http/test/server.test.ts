import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createHttpService,
  createLogger,
  HttpProblem,
  readBody,
  readJson,
  requireBearer,
  sendJson,
  type HttpService,
} from '../src/index.js';

let svc: HttpService;
let base: string;

beforeAll(async () => {
  svc = createHttpService({
    name: 'test',
    log: createLogger('test', 'silent'),
    handlerTimeoutMs: 200,
    routes: [
      {
        method: 'GET',
        path: '/items/:id',
        handler: ({ res, params }) => sendJson(res, 200, { id: params.id }),
      },
      {
        method: 'POST',
        path: '/echo',
        handler: async ({ req, res }) => {
          const body = await readBody(req, 16);
          res.end(body);
        },
      },
      {
        method: 'POST',
        path: '/json',
        handler: async ({ req, res }) => {
          const v = await readJson(req, 1000, z.object({ n: z.number().int() }).parse);
          sendJson(res, 200, v);
        },
      },
      {
        method: 'GET',
        path: '/secret',
        handler: ({ req, res }) => {
          requireBearer(req, 's3cret');
          sendJson(res, 200, { ok: true });
        },
      },
      {
        method: 'GET',
        path: '/files/*',
        handler: ({ res, params }) => sendJson(res, 200, { rest: params['*'] }),
      },
      { method: 'GET', path: '/slow', handler: () => new Promise((r) => setTimeout(r, 1000)) },
      {
        method: 'GET',
        path: '/boom',
        handler: () => {
          throw new Error('secret internals');
        },
      },
      {
        method: 'GET',
        path: '/teapot',
        handler: () => {
          throw new HttpProblem(409, 'TEAPOT', 'short and stout');
        },
      },
    ],
  });
  const addr = await svc.listen(0);
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(() => svc.close());

describe('http service', () => {
  it('routes with decoded params and wildcards', async () => {
    expect(await (await fetch(`${base}/items/a%20b`)).json()).toEqual({ id: 'a b' });
    expect(await (await fetch(`${base}/files/x/y%2Fz`)).json()).toEqual({ rest: 'x/y%2Fz' });
  });
  it('answers 404 and 405 as problem+json', async () => {
    const r = await fetch(`${base}/nope`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(await r.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await fetch(`${base}/items/1`, { method: 'DELETE' })).status).toBe(405);
  });
  it('enforces the body limit from Content-Length and from the stream', async () => {
    const big = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(17) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/echo`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('0123456789');
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await (await fetch(`${base}/echo`, { method: 'POST', body: 'hello' })).text()).toBe('hello');
  });
  it('validates JSON with a schema', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${base}/json`, { method: 'POST', body, headers: { 'content-type': type } });
    expect(await (await post('{"n":1}')).json()).toEqual({ n: 1 });
    expect(await (await post('{"n":')).json()).toMatchObject({ code: 'MALFORMED_JSON' });
    expect(await (await post('{"n":"1"}')).json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await post('{"n":1}', 'text/plain')).status).toBe(415);
  });
  it('requires the bearer token', async () => {
    expect((await fetch(`${base}/secret`)).status).toBe(401);
    expect((await fetch(`${base}/secret`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/secret`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });
  it('times out slow handlers and hides internal errors', async () => {
    expect(await (await fetch(`${base}/slow`)).json()).toMatchObject({ status: 503, code: 'TIMEOUT' });
    const boom = await (await fetch(`${base}/boom`)).text();
    expect(boom).not.toContain('secret internals');
    expect(JSON.parse(boom)).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(await (await fetch(`${base}/teapot`)).json()).toMatchObject({ status: 409, code: 'TEAPOT' });
  });
  it('serves /healthz and Prometheus /metrics', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ service: 'test', ok: true });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('riik_http_requests_total');
    expect(text).toContain('route="/items/:id"');
  });
});
