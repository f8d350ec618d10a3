import { describe, expect, it } from 'vitest';
import {
  filterHeaders,
  headerListFromRaw,
  parseRestRequest,
  XRoadFault,
  type HeaderList,
} from '../src/index.js';
import { expectCode } from './helpers.js';

const CLIENT: [string, string] = ['X-Road-Client', 'EE/GOV/70000001/portal'];
const SERVICE_PATH = '/r1/EE/GOV/70000002/rr/persons';

function parse(
  target: string,
  headers: HeaderList = [CLIENT],
  method = 'GET',
): ReturnType<typeof parseRestRequest> {
  return parseRestRequest(method, target, headers);
}

describe('PR-REST §4.1 request line', () => {
  it('separates the five service identifier parts from the service path and query', () => {
    const r = parse(`${SERVICE_PATH}/v1/persons/38001085718?fields=name&fields=address`);
    expect(r.service.encode()).toBe('EE/GOV/70000002/rr/persons');
    expect(r.servicePath).toBe('/v1/persons/38001085718');
    expect(r.query).toBe('fields=name&fields=address');
    expect(r.path).toBe(`${SERVICE_PATH}/v1/persons/38001085718`);
    expect(r.method).toBe('GET');
  });

  it('keeps the service path and query raw (percent-escapes, "+", repeated parameters) for the provider', () => {
    const r = parse(`${SERVICE_PATH}/a%20b/c+d%2Fe?q=a+b&q=%26&x`);
    expect(r.servicePath).toBe('/a%20b/c+d%2Fe');
    expect(r.query).toBe('q=a+b&q=%26&x');
  });

  it('tells an empty service path, a lone slash, and an empty query apart', () => {
    expect(parse(SERVICE_PATH).servicePath).toBe('');
    expect(parse(`${SERVICE_PATH}/`).servicePath).toBe('/');
    expect(parse(SERVICE_PATH).query).toBeNull();
    expect(parse(`${SERVICE_PATH}?`).query).toBe('');
  });

  it('percent-decodes each identifier part separately', () => {
    const r = parse("/r1/EE/GOV/70000002/r%72/x%3Dy'(1)'");
    expect(r.service.subsystemCode).toBe('rr');
    expect(r.service.serviceCode).toBe("x=y'(1)'");
  });

  it('accepts the methods the reference Security Server accepts, and no others', () => {
    for (const m of ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])
      expect(parse(SERVICE_PATH, [CLIENT], m).method).toBe(m);
    for (const m of ['get', 'CONNECT', 'INVALID', '', 'GET '])
      expectCode(() => parse(SERVICE_PATH, [CLIENT], m), 'Client.InvalidHttpMethod');
  });

  it('marks GET calls of listMethods, allowedMethods and getOpenAPI as metaservices', () => {
    expect(parse('/r1/EE/GOV/1/s/listMethods').metaservice).toBe('listMethods');
    expect(parse('/r1/EE/GOV/1/s/getOpenAPI?serviceCode=x').metaservice).toBe('getOpenAPI');
    expect(parse('/r1/EE/GOV/1/s/listMethods', [CLIENT], 'POST').metaservice).toBeNull();
    expect(parse('/r1/EE/GOV/1/s/listmethods').metaservice).toBeNull();
  });

  it('refuses other protocol versions and non-r1 paths', () => {
    expectCode(() => parse('/r2/EE/GOV/1/s/x'), 'Client.InvalidProtocolVersion');
    expectCode(() => parse('/r10/EE/GOV/1/s/x'), 'Client.InvalidProtocolVersion');
    for (const t of [
      '/v1/EE/GOV/1/s/x',
      '/R1/EE/GOV/1/s/x',
      '/r1',
      '/',
      '/listClients',
      'https://ss/r1/EE/GOV/1/s/x',
      '*',
      'r1/EE/GOV/1/s/x',
    ]) {
      expectCode(() => parse(t), 'Client.BadRequest');
    }
  });

  it('needs all five identifier parts, each non-empty (the subsystem cannot be left out in a path)', () => {
    for (const t of [
      '/r1/EE/GOV/1/s',
      '/r1/EE/GOV/1',
      '/r1/EE//1/s/x',
      '/r1/EE/GOV/1/s/',
      '/r1/EE/GOV/1//x',
      '/r1/EE%2FGOV%2F1%2Fs%2Fx',
    ]) {
      expectCode(() => parse(t), 'Client.BadRequest');
    }
  });

  it('refuses identifiers outside §4.8 unless lenient, and decoded slashes in strict mode', () => {
    expectCode(() => parse('/r1/EE/GOV/1/s/BAR%2FSERVICE'), 'Client.BadRequest');
    expectCode(() => parse('/r1/EE/GOV/1/s/a%20b'), 'Client.BadRequest');
    const lenient = parseRestRequest('GET', '/r1/EE/GOV/1/s/a%20b', [CLIENT], { policy: 'lenient' });
    expect(lenient.service.serviceCode).toBe('a b');
    expectCode(
      () => parseRestRequest('GET', '/r1/EE/GOV/1/s/a%0Ab', [CLIENT], { policy: 'lenient' }),
      'Client.BadRequest',
    );
  });
});

describe('PR-REST §4.2 URI sanitation: hostile targets', () => {
  it('refuses targets longer than the limit, with the limit configurable', () => {
    const long = `${SERVICE_PATH}/${'a'.repeat(9000)}`;
    expectCode(() => parse(long), 'Client.BadRequest');
    expect(parseRestRequest('GET', long, [CLIENT], { maxTargetLength: 10_000 }).servicePath).toHaveLength(
      9001,
    );
    expectCode(
      () => parseRestRequest('GET', `${SERVICE_PATH}/abc`, [CLIENT], { maxTargetLength: 20 }),
      'Client.BadRequest',
    );
  });

  it('refuses malformed percent-encoding anywhere in the target', () => {
    for (const t of [
      '/r1/EE/GOV/1/s/x%',
      '/r1/EE/GOV/1/s/x%zz',
      '/r1/EE/GOV/1/s%C3/x',
      `${SERVICE_PATH}/a%2`,
      `${SERVICE_PATH}?a=%`,
      `${SERVICE_PATH}?a=%G0`,
    ]) {
      expectCode(() => parse(t), 'Client.BadRequest');
    }
  });

  it('refuses control characters, spaces, raw non-ASCII, fragments and backslashes', () => {
    for (const t of [
      `${SERVICE_PATH}/a b`,
      `${SERVICE_PATH}/a\u0000`,
      `${SERVICE_PATH}/\r\nHost: evil`,
      `${SERVICE_PATH}/ä`,
      `${SERVICE_PATH}#frag`,
      `${SERVICE_PATH}/a\\..\\admin`,
      `${SERVICE_PATH}?\u007f`,
      '',
    ]) {
      expectCode(() => parse(t), 'Client.BadRequest');
    }
  });

  it('refuses dot segments in the service path in every spelling a URL parser or servlet resolves', () => {
    for (const seg of ['..', '.', '%2e%2e', '%2E.', '.%2e', '%2e', '..;x=1', '%2e%2e;']) {
      expectCode(() => parse(`${SERVICE_PATH}/v1/${seg}/admin`), 'Client.BadRequest');
    }
    expectCode(() => parse(`${SERVICE_PATH}/..`), 'Client.BadRequest');
    // Dots inside a segment are ordinary.
    expect(parse(`${SERVICE_PATH}/v1.2/..a/a..`).servicePath).toBe('/v1.2/..a/a..');
    // In the query they are just data.
    expect(parse(`${SERVICE_PATH}?path=../x`).query).toBe('path=../x');
  });

  it('refuses "." and ".." as identifier parts', () => {
    expectCode(() => parse('/r1/../GOV/1/s/x'), 'Client.BadRequest');
    expectCode(() => parse('/r1/EE/GOV/1/s/%2E%2E'), 'Client.BadRequest');
  });

  it('passes the query through unmodified, parameter pollution included (PR-REST §4.5)', () => {
    expect(parse(`${SERVICE_PATH}?id=1&id=2&;=&&`).query).toBe('id=1&id=2&;=&&');
  });
});

describe('PR-REST §4.3 X-Road request headers', () => {
  it('requires X-Road-Client, under any capitalisation', () => {
    expectCode(() => parse(SERVICE_PATH, []), 'Client.InvalidClientIdentifier');
    expectCode(() => parse(SERVICE_PATH, [['X-Road-Client', '']]), 'Client.InvalidClientIdentifier');
    expectCode(() => parse(SERVICE_PATH, [['X-Road-Client', '   ']]), 'Client.InvalidClientIdentifier');
    expect(parse(SERVICE_PATH, [['x-road-client', 'EE/GOV/1']]).client.toString()).toBe('EE/GOV/1');
    expect(parse(SERVICE_PATH, [['X-ROAD-CLIENT', 'EE/GOV/1/s']]).client.toString()).toBe('EE/GOV/1/s');
  });

  it('uses the last X-Road-Client when repeated', () => {
    const r = parse(SERVICE_PATH, [
      ['X-Road-Client', 'EE/GOV/1/first'],
      ['Accept', 'application/json'],
      ['x-road-client', 'EE/GOV/2/last'],
    ]);
    expect(r.client.toString()).toBe('EE/GOV/2/last');
    expect(r.headers.filter(([n]) => n.toLowerCase() === 'x-road-client')).toEqual([]);
  });

  it('percent-decodes the client parts and refuses bad clients with Client.InvalidClientIdentifier', () => {
    expect(parse(SERVICE_PATH, [['X-Road-Client', 'EE/GOV/1/a%3Fb']]).client.subsystemCode).toBe('a?b');
    for (const bad of ['EE/GOV', 'EE/GOV/1/s/x', 'EE/GOV/a%2Fb', 'EE/GOV/%ZZ', 'EE/GOV/a b', 'EE//1']) {
      expectCode(() => parse(SERVICE_PATH, [['X-Road-Client', bad]]), 'Client.InvalidClientIdentifier');
    }
  });

  it('reads X-Road-Id, X-Road-UserId, X-Road-Issue, X-Road-Security-Server and X-Road-Represented-Party', () => {
    const r = parse(SERVICE_PATH, [
      CLIENT,
      ['X-Road-Id', 'fa2e18a5-c2cb-4d09-b994-f57727f7c3fb'],
      ['X-Road-UserId', 'EE12345678901'],
      ['X-Road-Issue', 'MT324223MSD'],
      ['X-Road-Security-Server', 'EE/GOV/70000002/ss2'],
      ['X-Road-Represented-Party', 'COM/12345678'],
    ]);
    expect(r.messageId).toBe('fa2e18a5-c2cb-4d09-b994-f57727f7c3fb');
    expect(r.userId).toBe('EE12345678901');
    expect(r.issue).toBe('MT324223MSD');
    expect(r.securityServer?.toString()).toBe('EE/GOV/70000002/ss2');
    expect(r.representedParty).toEqual({ partyClass: 'COM', partyCode: '12345678' });
  });

  it('leaves optional headers null when absent or empty', () => {
    const r = parse(SERVICE_PATH, [CLIENT, ['X-Road-Id', ''], ['X-Road-UserId', ' ']]);
    expect([r.messageId, r.userId, r.issue, r.securityServer, r.representedParty]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('refuses malformed Security Server and represented party headers', () => {
    expectCode(
      () => parse(SERVICE_PATH, [CLIENT, ['X-Road-Security-Server', 'EE/GOV/1']]),
      'Client.InvalidSecurityServer',
    );
    expectCode(
      () => parse(SERVICE_PATH, [CLIENT, ['X-Road-Represented-Party', 'EE/COM/1']]),
      'Client.BadRequest',
    );
    expectCode(
      () => parse(SERVICE_PATH, [CLIENT, ['X-Road-Represented-Party', 'COM/']]),
      'Client.BadRequest',
    );
  });

  it('refuses over-long opaque X-Road header values', () => {
    expectCode(() => parse(SERVICE_PATH, [CLIENT, ['X-Road-Issue', 'x'.repeat(1025)]]), 'Client.BadRequest');
    expect(parse(SERVICE_PATH, [CLIENT, ['X-Road-Issue', 'x'.repeat(1024)]]).issue).toHaveLength(1024);
  });
});

describe('PR-REST §4.3 which headers pass through', () => {
  const incoming: HeaderList = [
    ['Host', 'ss.example'],
    ['User-Agent', 'curl/8'],
    ['Accept', 'application/xml'],
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', '12'],
    ['Transfer-Encoding', 'chunked'],
    ['Connection', 'keep-alive, X-Hop'],
    ['Keep-Alive', 'timeout=5'],
    ['X-Hop', 'secret for the next hop only'],
    ['Proxy-Authorization', 'Basic eDp5'],
    ['Proxy-Connection', 'keep-alive'],
    ['TE', 'trailers'],
    ['Trailer', 'Expires'],
    ['Upgrade', 'h2c'],
    ['Expect', '100-continue'],
    ['Server', 'nginx'],
    ['Authorization', 'Bearer eyJ.jwt.passes'],
    ['Cache-Control', 'no-cache, no-store, must-revalidate'],
    ['Pragma', 'no-cache'],
    ['X-Powered-By', 'PHP/5.2.17'],
    ['X-Pingback', 'https://example.com/xmlrpc.php'],
    ['X-Road-Purpose', 'an extension header: passed like any user header'],
    ['X-Road-Request-Hash', 'a client must not set this'],
    ['X-Road-Request-Id', 'nor this'],
    ['X-Road-Service', 'nor this'],
    ['X-Road-Error', 'nor this'],
    ['X-Custom', 'one'],
    ['X-Custom', 'two'],
    CLIENT,
  ];

  it('keeps user, content, cache, auth and extension headers, in order and repeated', () => {
    const r = parse(SERVICE_PATH, incoming);
    expect(r.headers).toEqual([
      ['Accept', 'application/xml'],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Authorization', 'Bearer eyJ.jwt.passes'],
      ['Cache-Control', 'no-cache, no-store, must-revalidate'],
      ['Pragma', 'no-cache'],
      ['X-Powered-By', 'PHP/5.2.17'],
      ['X-Pingback', 'https://example.com/xmlrpc.php'],
      ['X-Road-Purpose', 'an extension header: passed like any user header'],
      ['X-Custom', 'one'],
      ['X-Custom', 'two'],
    ]);
  });

  it('filterHeaders alone drops only hop-by-hop, origin and framing headers', () => {
    const names = filterHeaders(incoming).map(([n]) => n.toLowerCase());
    for (const dropped of [
      'host',
      'user-agent',
      'server',
      'content-length',
      'transfer-encoding',
      'connection',
      'keep-alive',
      'x-hop',
      'proxy-authorization',
      'proxy-connection',
      'te',
      'trailer',
      'upgrade',
      'expect',
    ]) {
      expect(names).not.toContain(dropped);
    }
    expect(names).toContain('x-road-client');
    expect(filterHeaders(incoming, ['X-Custom']).map(([n]) => n)).not.toContain('X-Custom');
  });

  it('reads Node rawHeaders as an ordered list', () => {
    expect(headerListFromRaw(['A', '1', 'b', '2', 'A', '3'])).toEqual([
      ['A', '1'],
      ['b', '2'],
      ['A', '3'],
    ]);
    expect(headerListFromRaw(['A', '1', 'dangling'])).toEqual([['A', '1']]);
  });
});

describe('hostile header lists', () => {
  it('refuses too many or too large header fields', () => {
    const many: HeaderList = [CLIENT, ...Array.from({ length: 300 }, (_, i) => [`X-${i}`, 'v'] as const)];
    expectCode(() => parse(SERVICE_PATH, many), 'Client.BadRequest');
    expect(parseRestRequest('GET', SERVICE_PATH, many, { maxHeaderCount: 400 }).headers).toHaveLength(300);
    expectCode(() => parse(SERVICE_PATH, [CLIENT, ['X-Big', 'x'.repeat(70_000)]]), 'Client.BadRequest');
  });

  it('refuses header names that are not tokens and values with CR, LF or NUL', () => {
    for (const field of [
      ['Bad Name', 'v'],
      ['', 'v'],
      ['X:y', 'v'],
      ['X-A', 'a\r\nInjected: 1'],
      ['X-A', 'a\u0000'],
    ] as const) {
      expectCode(() => parse(SERVICE_PATH, [CLIENT, field]), 'Client.BadRequest');
    }
  });

  it('refuses header lists of the wrong shape without crashing', () => {
    for (const bad of [null, 'X-Road-Client: x', [['X-Road-Client']], [[1, 2]], [CLIENT, 'oops']]) {
      const err = expectCode(() => parseRestRequest('GET', SERVICE_PATH, bad as never), 'Client.BadRequest');
      expect(err).toBeInstanceOf(XRoadFault);
    }
  });

  it('answers every fault with a 400 status', () => {
    const err = expectCode(() => parse('/r1/x'), 'Client.BadRequest') as XRoadFault;
    expect(err.status).toBe(400);
  });
});
