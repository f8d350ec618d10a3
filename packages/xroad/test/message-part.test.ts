import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildProviderRequest,
  buildRestRequestPart,
  buildRestResponsePart,
  checkRestResponse,
  consumerResponseHeaders,
  parseRestRequest,
  parseRestRequestPart,
  parseRestResponsePart,
  requestHash,
  RequestHasher,
  requestHashMatches,
  type RestRequestPart,
} from '../src/index.js';
import { expectCode, uuidSequence } from './helpers.js';

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

function consumerPart(
  headers: Array<[string, string]> = [],
  target = '/r1/EE/GOV/70000002/rr/persons/v1/persons/1?x=1',
): RestRequestPart {
  const request = parseRestRequest('POST', target, [['X-Road-Client', 'EE/GOV/70000001/portal'], ...headers]);
  return buildRestRequestPart(request, { requestId: 'req-1', newMessageId: uuidSequence() });
}

describe('REST request header part (PR-MESSTRANSP §3.1, application/x-road-rest-request)', () => {
  it('is METHOD CRLF target CRLF then name:value CRLF lines: pass-through headers, then the X-Road ones', () => {
    const part = consumerPart([
      ['Accept', 'application/json'],
      ['X-Road-UserId', 'EE38001085718'],
      ['User-Agent', 'dropped'],
      ['X-Road-Issue', 'case-7'],
    ]);
    expect(Buffer.from(part.bytes).toString('utf8')).toBe(
      'POST\r\n/r1/EE/GOV/70000002/rr/persons/v1/persons/1?x=1\r\n' +
        'Accept:application/json\r\n' +
        'x-road-client:EE/GOV/70000001/portal\r\n' +
        'x-road-id:00000000-0000-4000-8000-000000000001\r\n' +
        'x-road-userid:EE38001085718\r\n' +
        'x-road-issue:case-7\r\n' +
        'x-road-request-id:req-1\r\n',
    );
    expect(part.messageId).toBe('00000000-0000-4000-8000-000000000001');
    expect(part.request.messageId).toBe(part.messageId);
  });

  it("keeps the client's X-Road-Id and writes one X-Road-Client even when the client sent several", () => {
    const part = consumerPart([
      ['X-Road-Id', 'my-id'],
      ['X-Road-Client', 'EE/GOV/70000001/other'],
    ]);
    expect(part.messageId).toBe('my-id');
    expect(part.headers.filter(([n]) => n === 'x-road-client')).toEqual([
      ['x-road-client', 'EE/GOV/70000001/other'],
    ]);
  });

  it('round-trips: the provider reads back the same request, headers and bytes', () => {
    const part = consumerPart([
      ['Content-Type', 'application/json'],
      ['X-Road-Security-Server', 'EE/GOV/70000002/ss2'],
      ['X-Road-Represented-Party', 'COM/1234'],
    ]);
    const read = parseRestRequestPart(part.bytes);
    expect(read.request.service.equals(part.request.service)).toBe(true);
    expect(read.request.client.equals(part.request.client)).toBe(true);
    expect(read.request.servicePath).toBe('/v1/persons/1');
    expect(read.request.query).toBe('x=1');
    expect(read.request.securityServer?.toString()).toBe('EE/GOV/70000002/ss2');
    expect(read.request.representedParty).toEqual({ partyClass: 'COM', partyCode: '1234' });
    expect(read.messageId).toBe(part.messageId);
    expect(read.requestId).toBe('req-1');
    expect(read.headers).toEqual(part.headers);
    expect(read.bytes).toBe(part.bytes);
  });

  it('refuses parts without X-Road-Id or X-Road-Request-Id, truncated, non-UTF-8 or with hop-by-hop headers', () => {
    const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
    const good =
      'GET\r\n/r1/EE/GOV/1/s/x\r\nx-road-client:EE/GOV/2\r\nx-road-id:a\r\nx-road-request-id:b\r\n';
    expect(parseRestRequestPart(enc(good)).requestId).toBe('b');
    for (const bad of [
      good.replace('x-road-id:a\r\n', ''),
      good.replace('x-road-request-id:b\r\n', ''),
      good.replace('x-road-client:EE/GOV/2\r\n', ''),
      'GET',
      '',
      good.replace('\r\nx-road-id', '\r\n\r\nx-road-id'),
      `${good}Connection:close\r\n`,
      `${good}Content-Length:3\r\n`,
      `${good}no colon here\r\n`,
      good.replace('GET', 'BREW'),
      good.replace('/r1/', '/r9/'),
    ]) {
      expectCode(() => parseRestRequestPart(enc(bad)), 'Server.ServerProxy.InvalidMessage');
    }
    expectCode(
      () => parseRestRequestPart(new Uint8Array([0x47, 0x45, 0x54, 0x0d, 0x0a, 0xff, 0xfe])),
      'Server.ServerProxy.InvalidMessage',
    );
    expectCode(
      () => parseRestRequestPart(new Uint8Array(200 * 1024).fill(0x41)),
      'Server.ServerProxy.InvalidMessage',
    );
    expectCode(() => parseRestRequestPart('GET' as never), 'Server.ServerProxy.InvalidMessage');
  });
});

describe('X-Road-Request-Hash (PR-REST §4.3)', () => {
  it('is base64(SHA512(SHA512(header part) + SHA512(body))) with a body', () => {
    const part = consumerPart();
    const body = Buffer.from('{"id":0,"name":"doggie"}');
    const expected = sha512(sha512(part.bytes), sha512(body)).toString('base64');
    expect(requestHash(part.bytes, body)).toBe(expected);
  });

  it('is base64(SHA512(header part)) without a body, and an empty body is no body', () => {
    const part = consumerPart();
    expect(requestHash(part.bytes)).toBe(sha512(part.bytes).toString('base64'));
    expect(requestHash(part.bytes, new Uint8Array(0))).toBe(sha512(part.bytes).toString('base64'));
    expect(
      Buffer.from(new RequestHasher(part.bytes).update(new Uint8Array(0)).digest()).toString('base64'),
    ).toBe(sha512(part.bytes).toString('base64'));
  });

  it('hashes a streamed body the same as a whole one, and changes with any byte of part or body', () => {
    const part = consumerPart();
    const body = Buffer.from('x'.repeat(100_000));
    const hasher = new RequestHasher(part.bytes);
    for (let i = 0; i < body.length; i += 4096) hasher.update(body.subarray(i, i + 4096));
    const streamed = Buffer.from(hasher.digest()).toString('base64');
    expect(streamed).toBe(requestHash(part.bytes, body));
    const otherBody = Buffer.from(body);
    otherBody[50_000] = 0x79;
    expect(requestHash(part.bytes, otherBody)).not.toBe(streamed);
    const otherPart = consumerPart([['Accept', 'text/plain']]);
    expect(requestHash(otherPart.bytes, body)).not.toBe(streamed);
  });

  it('a hasher digests once', () => {
    const hasher = new RequestHasher(new Uint8Array(1));
    hasher.digest();
    expect(() => hasher.digest()).toThrow();
    expect(() => hasher.update(new Uint8Array(1))).toThrow();
  });

  it('matches only canonical base64 of the exact 64 bytes', () => {
    const digest = new Uint8Array(sha512(Buffer.from('x')));
    const b64 = Buffer.from(digest).toString('base64');
    expect(requestHashMatches(b64, digest)).toBe(true);
    expect(requestHashMatches(` ${b64} `, digest)).toBe(true);
    const flipped = new Uint8Array(digest);
    flipped[63] = flipped[63]! ^ 1;
    expect(requestHashMatches(b64, flipped)).toBe(false);
    for (const bad of [
      null,
      undefined,
      '',
      b64.slice(0, -2),
      `${b64}AA`,
      b64.replace(/=+$/, ''),
      Buffer.from(digest).toString('base64url'),
      'x'.repeat(100000),
    ]) {
      expect(requestHashMatches(bad, digest)).toBe(false);
    }
  });
});

describe('provider request (PR-REST §4.1, §4.5)', () => {
  it('appends the service path and query to the service URL, with one slash between', () => {
    const part = consumerPart([], '/r1/EE/GOV/1/s/svc/v1/x?a=1&a=2');
    expect(buildProviderRequest(part, 'https://svc.example/').url).toBe('https://svc.example/v1/x?a=1&a=2');
    expect(buildProviderRequest(part, 'https://svc.example/api').url).toBe(
      'https://svc.example/api/v1/x?a=1&a=2',
    );
    expect(buildProviderRequest(part, 'http://10.0.0.1:8080/api/').url).toBe(
      'http://10.0.0.1:8080/api/v1/x?a=1&a=2',
    );
    const bare = consumerPart([], '/r1/EE/GOV/1/s/svc');
    expect(buildProviderRequest(bare, 'https://svc.example/base').url).toBe('https://svc.example/base');
  });

  it("sends the part's headers: the client's own and the X-Road request headers", () => {
    const part = consumerPart([['Accept', 'application/xml']]);
    const req = buildProviderRequest(part, 'https://svc.example/');
    expect(req.method).toBe('POST');
    expect(req.headers).toEqual(part.headers);
  });

  it('reads a foreign part with Proxy-Connection but does not forward it', () => {
    const text =
      'GET\r\n/r1/EE/GOV/1/s/x\r\nProxy-Connection:keep-alive\r\nx-road-client:EE/GOV/2\r\nx-road-id:a\r\nx-road-request-id:b\r\n';
    const part = parseRestRequestPart(new Uint8Array(Buffer.from(text)));
    expect(buildProviderRequest(part, 'https://svc.example/').headers.map(([n]) => n)).toEqual([
      'x-road-client',
      'x-road-id',
      'x-road-request-id',
    ]);
  });

  it('refuses service URLs that are not plain http(s)', () => {
    const part = consumerPart();
    for (const url of [
      'not a url',
      'ftp://x/',
      'file:///etc/passwd',
      'https://x/?q=1',
      'https://x/#f',
      'https://u:p@x/',
    ]) {
      expectCode(() => buildProviderRequest(part, url), 'Server.ServerProxy.ServiceMalformedUrl');
    }
  });
});

describe("REST response header part and the consumer's checks", () => {
  const request = consumerPart([['Accept', 'application/json']]);
  const body = Buffer.from('{"a":1}');
  const hash = requestHash(request.bytes, body);
  const expectedDigest = new Uint8Array(Buffer.from(hash, 'base64'));

  const provider = {
    status: 200,
    reason: 'OK',
    headers: [
      ['Content-Type', 'application/json;charset=utf-8'],
      ['Content-Length', '7'],
      ['Connection', 'close'],
      ['Server', 'Apache/2.4.1'],
      ['X-Powered-By', 'PHP'],
      ['X-Road-Request-Hash', 'forged by the provider'],
      ['X-Road-Error', 'Server.ServerProxy.Forged'],
      ['X-Road-Client', 'EE/GOV/666'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ] as Array<[string, string]>,
  };

  it("keeps the provider's headers and replaces every X-Road response header (PR-REST §4.3)", () => {
    const part = buildRestResponsePart(provider, request, hash);
    expect(Buffer.from(part.bytes).toString('utf8')).toBe(
      '200\r\nOK\r\n' +
        'Content-Type:application/json;charset=utf-8\r\n' +
        'X-Powered-By:PHP\r\n' +
        'Set-Cookie:a=1\r\n' +
        'Set-Cookie:b=2\r\n' +
        `x-road-id:${request.messageId}\r\n` +
        'x-road-client:EE/GOV/70000001/portal\r\n' +
        'x-road-service:EE/GOV/70000002/rr/persons\r\n' +
        'x-road-request-id:req-1\r\n' +
        `x-road-request-hash:${hash}\r\n`,
    );
  });

  it('round-trips and passes the consistency checks', () => {
    const sent = buildRestResponsePart(provider, request, hash);
    const received = parseRestResponsePart(sent.bytes);
    expect(received.status).toBe(200);
    expect(received.reason).toBe('OK');
    expect(received.headers).toEqual(sent.headers);
    checkRestResponse(request, received, expectedDigest);
    expect(consumerResponseHeaders(received)).toEqual(sent.headers);
  });

  it('refuses a response whose hash, ids, client or service differ (Server.ClientProxy.InconsistentResponse)', () => {
    const received = parseRestResponsePart(buildRestResponsePart(provider, request, hash).bytes);
    const noBody = new Uint8Array(Buffer.from(requestHash(request.bytes), 'base64'));
    expectCode(() => checkRestResponse(request, received, noBody), 'Server.ClientProxy.InconsistentResponse');
    const other = consumerPart([['X-Road-Id', 'other-id']]);
    expectCode(
      () => checkRestResponse(other, received, expectedDigest),
      'Server.ClientProxy.InconsistentResponse',
    );
    const otherClient = buildRestRequestPart(
      parseRestRequest('POST', '/r1/EE/GOV/70000002/rr/persons', [
        ['X-Road-Client', 'EE/GOV/9'],
        ['X-Road-Id', request.messageId],
      ]),
      {
        requestId: 'req-1',
        newMessageId: uuidSequence(),
      },
    );
    expectCode(
      () => checkRestResponse(otherClient, received, expectedDigest),
      'Server.ClientProxy.InconsistentResponse',
    );
    const otherService = buildRestRequestPart(
      parseRestRequest('POST', '/r1/EE/GOV/70000002/rr/other', [
        ['X-Road-Client', 'EE/GOV/70000001/portal'],
        ['X-Road-Id', request.messageId],
      ]),
      { requestId: 'req-1', newMessageId: uuidSequence() },
    );
    expectCode(
      () => checkRestResponse(otherService, received, expectedDigest),
      'Server.ClientProxy.InconsistentResponse',
    );
    const otherRequestId = { ...request, requestId: 'req-2' };
    expectCode(
      () => checkRestResponse(otherRequestId, received, expectedDigest),
      'Server.ClientProxy.InconsistentResponse',
    );
  });

  it('refuses malformed response parts and statuses', () => {
    const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
    const good = Buffer.from(buildRestResponsePart(provider, request, hash).bytes).toString('utf8');
    for (const bad of [
      good.replace('200', '2000'),
      good.replace('200', 'abc'),
      good.replace(/x-road-request-hash:[^\r]*\r\n/, ''),
      good.replace(/x-road-service:[^\r]*/, 'x-road-service:a/b'),
      '200',
      `${good}Transfer-Encoding:chunked\r\n`,
    ]) {
      expectCode(() => parseRestResponsePart(enc(bad)), 'Server.ClientProxy.InvalidResponse');
    }
    for (const status of [99, 600, 200.5, NaN]) {
      expectCode(
        () => buildRestResponsePart({ ...provider, status }, request, hash),
        'Server.ServerProxy.InvalidResponse',
      );
    }
    expectCode(
      () => buildRestResponsePart({ ...provider, reason: 'OK\r\nX: y' }, request, hash),
      'Server.ServerProxy.InvalidResponse',
    );
    expectCode(
      () => buildRestResponsePart({ status: 200, headers: [['Bad Name', 'v']] }, request, hash),
      'Server.ServerProxy.InvalidResponse',
    );
  });
});
