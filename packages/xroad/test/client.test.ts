import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildErrorResponse,
  buildRestRequestPart,
  buildRestResponsePart,
  buildRestServiceList,
  buildClientListJson,
  consumerResponseHeaders,
  headerListFromRaw,
  parseRestRequest,
  requestHash,
  XRoadClient,
  XRoadClientError,
  XRoadClientId,
  XRoadFault,
  XRoadServiceId,
  type HeaderList,
  type RestRequest,
} from '../src/index.js';
import { uuidSequence } from './helpers.js';

/*
 * XRoadClient against a test double of the *remote* Security Server's client proxy (the real one is
 * built elsewhere on this library). The double uses the library's own server-side functions to parse
 * the request, make the request part and its hash, and answer with the provider's response or an
 * X-Road error, so what the client sees has the shape a Security Server produces.
 */

interface ProviderAnswer {
  status: number;
  headers?: HeaderList;
  body?: string | Buffer | ((res: ServerResponse) => void);
}

type Provider = (
  request: RestRequest,
  body: Buffer,
  raw: IncomingMessage,
) => ProviderAnswer | Promise<ProviderAnswer>;

let provider: Provider;
/** When set, the double answers with this instead of behaving like a Security Server. */
let raw: ((req: IncomingMessage, res: ServerResponse) => void) | null;
let server: Server;
let base: string;
const sockets = new Set<Socket>();

async function collect(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function securityServer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (raw) return raw(req, res);
  const body = await collect(req);
  try {
    const request = parseRestRequest(req.method ?? '', req.url ?? '', headerListFromRaw(req.rawHeaders));
    const part = buildRestRequestPart(request, {
      requestId: 'f92591a3-6bf0-49b1-987b-0dd78c034cc3',
      newMessageId: uuidSequence('11111111-0000-4000-8000-'),
    });
    const hash = requestHash(part.bytes, body);
    const answer = await provider(part.request, body, req);
    const responsePart = buildRestResponsePart(
      { status: answer.status, headers: answer.headers ?? [] },
      part,
      hash,
    );
    res.statusCode = answer.status;
    for (const [name, value] of consumerResponseHeaders(responsePart)) res.appendHeader(name, value);
    if (typeof answer.body === 'function') answer.body(res);
    else res.end(answer.body);
  } catch (err) {
    if (!(err instanceof XRoadFault)) throw err;
    const out = buildErrorResponse(err.toBody('9bc95b6e-2f1d-4a41-a7e6-11eda7d734d5'), req.headers.accept);
    res.statusCode = out.status;
    for (const [name, value] of out.headers) res.appendHeader(name, value);
    res.end(out.body);
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    securityServer(req, res).catch((err: unknown) => {
      res.statusCode = 599;
      res.end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  raw = null;
  provider = () => ({ status: 200, headers: [['Content-Type', 'application/json']], body: '{}' });
});

const CLIENT = XRoadClientId.parse('EE/GOV/70000001/portal');
const PERSONS = XRoadServiceId.parse('EE/GOV/70000002/rr/persons');

function client(timeoutMs?: number): XRoadClient {
  return new XRoadClient({
    securityServerUrl: `${base}/`,
    client: CLIENT,
    randomUUID: uuidSequence(),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

async function rejection(p: Promise<unknown>): Promise<XRoadClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(XRoadClientError);
  return err as XRoadClientError;
}

describe('XRoadClient: calls', () => {
  it("sends the PR-REST request line and X-Road headers and returns the provider's answer", async () => {
    let seen:
      { request: RestRequest; headers: IncomingMessage['headers']; url: string | undefined } | undefined;
    provider = (request, _body, req) => {
      seen = { request, headers: req.headers, url: req.url };
      return {
        status: 200,
        headers: [
          ['Content-Type', 'application/json'],
          ['X-Provider', 'yes'],
        ],
        body: '{"name":"Mari"}',
      };
    };
    const res = await client().get(PERSONS, '/v1/persons/38001085718', {
      query: { fields: ['name', 'address'], lang: 'et' },
      userId: 'EE38001085718',
      issue: 'case-7',
      headers: { Accept: 'application/json', 'X-Road-Client': 'EE/GOV/forged' },
    });
    expect(seen!.url).toBe(
      '/r1/EE/GOV/70000002/rr/persons/v1/persons/38001085718?fields=name&fields=address&lang=et',
    );
    expect(seen!.headers['x-road-client']).toBe('EE/GOV/70000001/portal');
    expect(seen!.headers['x-road-id']).toBe('00000000-0000-4000-8000-000000000001');
    expect(seen!.headers['x-road-userid']).toBe('EE38001085718');
    expect(seen!.headers['x-road-issue']).toBe('case-7');
    expect(seen!.request.client.equals(CLIENT)).toBe(true);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-provider')).toBe('yes');
    expect(await res.json()).toEqual({ name: 'Mari' });
    expect(res.xRoad.messageId).toBe('00000000-0000-4000-8000-000000000001');
    expect(res.xRoad.requestId).toBe('f92591a3-6bf0-49b1-987b-0dd78c034cc3');
    expect(res.xRoad.service.equals(PERSONS)).toBe(true);
    expect(Buffer.from(res.xRoad.requestHash, 'base64')).toHaveLength(64);
  });

  it('streams a request body and a response body', async () => {
    const size = 3 * 1024 * 1024;
    let received = 0;
    provider = (_request, body) => {
      received = body.length;
      return {
        status: 201,
        headers: [['Content-Type', 'application/octet-stream']],
        body: (res) => {
          let sent = 0;
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          const pump = (): void => {
            while (sent < size) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
        },
      };
    };
    let produced = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= size) return controller.close();
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x62));
        produced += 64 * 1024;
      },
    });
    const res = await client().post(PERSONS, '/upload', {
      body: stream,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(res.status).toBe(201);
    expect(received).toBe(size);
    let total = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) total += chunk.byteLength;
    expect(total).toBe(size);
  });

  it("returns the provider's own errors and redirects as they are (PR-REST §4.4, §4.6 category 1)", async () => {
    provider = () => ({
      status: 404,
      headers: [['Content-Type', 'application/json']],
      body: '{"error":"not found"}',
    });
    const res = await client().get(PERSONS, '/v1/persons/0');
    expect(res.status).toBe(404);
    expect(res.ok).toBe(false);
    expect(await res.text()).toBe('{"error":"not found"}');
    provider = () => ({ status: 302, headers: [['Location', 'https://elsewhere.example/']], body: '' });
    const redirect = await client().get(PERSONS, '/old');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://elsewhere.example/');
  });

  it('leaves hop-by-hop and framing headers of the caller out', async () => {
    let seen: IncomingMessage['headers'] | undefined;
    provider = (_request, _body, req) => {
      seen = req.headers;
      return { status: 204 };
    };
    await client().get(PERSONS, '', {
      headers: [
        ['Connection', 'upgrade'],
        ['Host', 'evil.example'],
        ['Upgrade', 'h2c'],
        ['X-Keep', '1'],
      ],
    });
    expect(seen!.host).not.toBe('evil.example');
    expect(seen!.upgrade).toBeUndefined();
    expect(seen!['x-keep']).toBe('1');
  });

  it('supports PUT, PATCH and DELETE, and a caller-chosen X-Road-Id', async () => {
    const methods: string[] = [];
    provider = (request) => {
      methods.push(request.method);
      return { status: 204 };
    };
    const c = client();
    await c.put(PERSONS, '/x', { body: '{}' });
    await c.patch(PERSONS, '/x', { body: '{}' });
    const res = await c.delete(PERSONS, '/x', { messageId: 'my-own-id' });
    expect(methods).toEqual(['PUT', 'PATCH', 'DELETE']);
    expect(res.xRoad.messageId).toBe('my-own-id');
  });
});

describe('XRoadClient: X-Road errors', () => {
  it('throws X_ROAD_ERROR with the fault and its classification', async () => {
    provider = () => {
      throw new XRoadFault('Server.ServerProxy.AccessDenied', 'Request is not allowed');
    };
    const err = await rejection(client().get(PERSONS, '/v1/x'));
    expect(err.code).toBe('X_ROAD_ERROR');
    expect(err.status).toBe(500);
    expect(err.fault).toEqual({
      type: 'Server.ServerProxy.AccessDenied',
      message: 'Request is not allowed',
      detail: '9bc95b6e-2f1d-4a41-a7e6-11eda7d734d5',
    });
    expect(err.classification).toMatchObject({
      source: 'x-road',
      component: 'provider-security-server',
      category: 4,
    });
  });

  it('reads the XML error form of a Client fault (400) when it asked for XML', async () => {
    // The double's client proxy refuses the represented party "a/b" (PR-REST §4.8) as Client.BadRequest.
    const err = await rejection(
      client().get(PERSONS, '/v1/x', {
        headers: { Accept: 'application/xml' },
        representedParty: { partyClass: 'a/b', partyCode: '1' },
      }),
    );
    expect(err.code).toBe('X_ROAD_ERROR');
    expect(err.status).toBe(400);
    expect(err.fault?.type).toBe('Client.BadRequest');
    expect(err.fault?.detail).toBe('9bc95b6e-2f1d-4a41-a7e6-11eda7d734d5');
    expect(err.classification).toMatchObject({ component: 'consumer-information-system', category: 3 });
  });

  it('uses the header when the error body is unreadable', async () => {
    raw = (_req, res) => {
      res.statusCode = 500;
      res.setHeader('X-Road-Error', 'Server.ClientProxy.OutdatedGlobalConf');
      res.end('<html>oops');
    };
    const err = await rejection(client().get(PERSONS));
    expect(err.fault?.type).toBe('Server.ClientProxy.OutdatedGlobalConf');
    expect(err.classification?.component).toBe('consumer-security-server');
  });
});

describe('XRoadClient: checks what it can of the response', () => {
  const echo = (overrides: Record<string, string | null>) => (_req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string | null> = {
      'x-road-id': '00000000-0000-4000-8000-000000000001',
      'x-road-client': 'EE/GOV/70000001/portal',
      'x-road-service': 'EE/GOV/70000002/rr/persons',
      'x-road-request-id': 'r',
      'x-road-request-hash': Buffer.alloc(64, 7).toString('base64'),
      ...overrides,
    };
    for (const [n, v] of Object.entries(headers)) if (v !== null) res.setHeader(n, v);
    res.end('ok');
  };

  it('accepts a complete echo', async () => {
    raw = echo({});
    expect(await (await client().get(PERSONS)).text()).toBe('ok');
  });

  for (const [what, overrides] of [
    ['another X-Road-Id', { 'x-road-id': 'other' }],
    ['another client', { 'x-road-client': 'EE/GOV/70000001/other' }],
    ['another service', { 'x-road-service': 'EE/GOV/70000002/rr/other' }],
    ['no X-Road-Request-Hash', { 'x-road-request-hash': null }],
    [
      "a request hash that is no SHA-512 digest (the spec's UUID typo)",
      { 'x-road-request-hash': '4c519cf0-0e5e-4ccf-b72b-8ed6fe289e6e' },
    ],
    ['no X-Road-Request-Id', { 'x-road-request-id': null }],
    ['an unreadable X-Road-Service', { 'x-road-service': 'garbage' }],
  ] as const) {
    it(`refuses a response with ${what}`, async () => {
      raw = echo(overrides);
      expect((await rejection(client().get(PERSONS))).code).toBe('INCONSISTENT_RESPONSE');
    });
  }
});

describe('XRoadClient: metaservices through the Security Server', () => {
  it('listMethods, allowedMethods and getOpenAPI', async () => {
    provider = (request) => {
      if (request.metaservice === 'getOpenAPI') {
        return {
          status: 200,
          headers: [['Content-Type', 'text/yaml']],
          body: `openapi: 3.0.0 # for ${request.query}`,
        };
      }
      const list = buildRestServiceList([
        {
          service: XRoadServiceId.ofProvider(request.service.provider, 'persons'),
          serviceType: 'OPENAPI',
          endpoints: [{ method: 'GET', path: '/v1/persons/*' }],
        },
      ]);
      return { status: 200, headers: [['Content-Type', 'application/json']], body: JSON.stringify(list) };
    };
    const provider_ = PERSONS.provider;
    const methods = await client().listMethods(provider_);
    expect(methods.map((m) => [m.service.toString(), m.serviceType, m.endpoints])).toEqual([
      ['EE/GOV/70000002/rr/persons', 'OPENAPI', [{ method: 'GET', path: '/v1/persons/*' }]],
    ]);
    expect(await client().allowedMethods(provider_)).toHaveLength(1);
    expect(await client().getOpenApi(provider_, 'persons')).toBe('openapi: 3.0.0 # for serviceCode=persons');
  });

  it('listClients asks for JSON on /listClients', async () => {
    let url: string | undefined;
    raw = (req, res) => {
      url = req.url;
      expect(req.headers.accept).toBe('application/json');
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify(buildClientListJson([{ id: CLIENT, name: 'Portal', subsystemName: 'eesti.ee' }])),
      );
    };
    const clients = await client().listClients('EE');
    expect(url).toBe('/listClients?xRoadInstance=EE');
    expect(clients[0]!.id.equals(CLIENT)).toBe(true);
    expect(clients[0]!.subsystemName).toBe('eesti.ee');
  });

  it('refuses a metaservice answer that is not one', async () => {
    raw = (_req, res) => res.end('not json');
    expect((await rejection(client().listClients())).code).toBe('BAD_RESPONSE');
  });
});

describe('XRoadClient: bad arguments and failures', () => {
  it('refuses what the protocol cannot carry, before sending anything', async () => {
    const c = client();
    for (const path of ['v1', '/a/../b', '/a/%2e%2e/b', '/a?b', '/a#b', '/a b', '/a\\b', '/ä', '/%zz']) {
      expect((await rejection(c.get(PERSONS, path))).code).toBe('BAD_ARGUMENT');
    }
    expect((await rejection(c.get(XRoadServiceId.parse('EE/GOV/1/svc')))).code).toBe('BAD_ARGUMENT');
    expect((await rejection(c.get(PERSONS, '', { headers: { 'X-A': 'a\r\nInjected: 1' } }))).code).toBe(
      'BAD_ARGUMENT',
    );
    expect((await rejection(c.get(PERSONS, '', { headers: { 'Bad Name': 'v' } }))).code).toBe('BAD_ARGUMENT');
    expect((await rejection(c.get(PERSONS, '', { userId: 'a\nb' }))).code).toBe('BAD_ARGUMENT');
    expect((await rejection(c.get(PERSONS, '', { query: 'a b' }))).code).toBe('BAD_ARGUMENT');
    expect(() => new XRoadClient({ securityServerUrl: 'not a url', client: CLIENT })).toThrow(
      XRoadClientError,
    );
    expect(() => new XRoadClient({ securityServerUrl: 'ftp://x', client: CLIENT })).toThrow(XRoadClientError);
    expect(() => new XRoadClient({ securityServerUrl: base, client: 'EE/GOV/1' as never })).toThrow(
      XRoadClientError,
    );
  });

  it('reports an unreachable Security Server as NETWORK_ERROR', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = new XRoadClient({ securityServerUrl: `http://127.0.0.1:${port}`, client: CLIENT });
    expect((await rejection(c.get(PERSONS))).code).toBe('NETWORK_ERROR');
  });

  it('reports a Security Server that never answers as TIMEOUT', async () => {
    raw = () => {
      // never answers; the socket is destroyed in afterAll
    };
    expect((await rejection(client(300).get(PERSONS))).code).toBe('TIMEOUT');
  });

  it('lets the caller abort', async () => {
    raw = () => {};
    const controller = new AbortController();
    const call = client().get(PERSONS, '', { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toThrow('user gave up');
  });
});
