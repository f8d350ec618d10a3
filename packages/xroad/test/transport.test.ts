import { describe, expect, it } from 'vitest';
import {
  accessPath,
  boundaryOf,
  buildSoapFault,
  compilePathGlob,
  endpointMatches,
  MultipartReader,
  MultipartWriter,
  openApiPathToGlob,
  parseSoapFault,
  PartType,
  readTrailer,
} from '../src/index.js';

async function* chunks(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

function message(boundary: string, parts: Array<[string, Buffer]>): Buffer {
  const w = new MultipartWriter(boundary);
  return Buffer.concat([...parts.flatMap(([type, body]) => [w.start(type), body]), w.end()]);
}

async function readParts(reader: MultipartReader): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (let p = await reader.nextPart(); p; p = await reader.nextPart())
    out.push([p.contentType, (await reader.readAll(1 << 20)).toString()]);
  return out;
}

describe('multipart transport message', () => {
  const parts: Array<[string, Buffer]> = [
    [PartType.ocspResponse, Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x00])],
    [PartType.restRequest, Buffer.from('GET\r\n/r1/x\r\nx-road-client:A/B/C/D\r\n')],
    [PartType.restBody, Buffer.from('--xtopNOTQUITE\r\nbody with a fake delimiter\r\n--xto')],
    [PartType.signature, Buffer.from('<sig/>')],
  ];

  for (const size of [1, 2, 7, 64, 100_000]) {
    it(`reads what the writer wrote in ${size}-byte chunks`, async () => {
      const b = 'xtopABCDEFGHIJKLMNOPQRSTUVWXYZabcd';
      const got = await readParts(new MultipartReader(chunks(message(b, parts), size), b));
      expect(got).toEqual(parts.map(([t, body]) => [t, body.toString()]));
    });
  }

  it('streams a large part in bounded pieces', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const b = 'xtopBIG';
    const reader = new MultipartReader(chunks(message(b, [[PartType.restBody, big]]), 65536), b);
    await reader.nextPart();
    let total = 0;
    let largest = 0;
    for await (const c of reader.body()) {
      total += c.length;
      largest = Math.max(largest, c.length);
    }
    expect(total).toBe(big.length);
    expect(largest).toBeLessThanOrEqual(65536 + 64);
    expect(await reader.nextPart()).toBeNull();
  });

  it('refuses truncated, oversized and garbage input with MimeParsingFailed', async () => {
    const b = 'xtopX';
    const whole = message(b, parts);
    const cases: Buffer[] = [
      whole.subarray(0, whole.length - 10),
      Buffer.from('garbage without any delimiter'),
      Buffer.from(`--${b}\r\n${'h: v\r\n'.repeat(5000)}\r\nbody`),
      Buffer.alloc(100_000, 0x41),
    ];
    for (const input of cases) {
      await expect(readParts(new MultipartReader(chunks(input, 1000), b))).rejects.toMatchObject({
        code: 'MimeParsingFailed',
      });
    }
    const many = message(
      b,
      Array.from({ length: 100 }, () => [PartType.restBody, Buffer.from('x')] as [string, Buffer]),
    );
    await expect(readParts(new MultipartReader(chunks(many, 1000), b))).rejects.toMatchObject({
      code: 'MimeParsingFailed',
    });
  });

  it('reads the boundary parameter strictly', () => {
    expect(boundaryOf('multipart/mixed; charset=UTF-8; boundary=xtopABC')).toBe('xtopABC');
    expect(boundaryOf('multipart/related; boundary="a b"')).toBe('a b');
    expect(boundaryOf('text/xml; boundary=abc')).toBeNull();
    expect(boundaryOf('multipart/mixed')).toBeNull();
    expect(boundaryOf(`multipart/mixed; boundary=${'a'.repeat(71)}`)).toBeNull();
  });

  it('reads the trailer: hash chain parts and the signature, or a fault', async () => {
    const b = 'xtopT';
    const signed = message(b, [
      [PartType.hashChainResult, Buffer.from('<r/>')],
      [PartType.hashChain, Buffer.from('<c/>')],
      [PartType.signature, Buffer.from('<s/>')],
    ]);
    const t = await readTrailer(new MultipartReader(chunks(signed, 3), b), null);
    expect(t).toEqual({
      kind: 'signature',
      signature: { signatureXml: '<s/>', hashChainResult: '<r/>', hashChain: '<c/>' },
    });
    const fault = message(b, [
      [
        PartType.soapFault,
        Buffer.from(
          buildSoapFault({ code: 'Server.ServerProxy.AccessDenied', message: 'no', detail: 'id-1' }),
        ),
      ],
    ]);
    const f = await readTrailer(new MultipartReader(chunks(fault, 5), b), null);
    expect(f).toEqual({
      kind: 'fault',
      fault: { code: 'Server.ServerProxy.AccessDenied', message: 'no', detail: 'id-1' },
    });
    const missing = message(b, [[PartType.hashChainResult, Buffer.from('<r/>')]]);
    await expect(readTrailer(new MultipartReader(chunks(missing, 5), b), null)).rejects.toMatchObject({
      code: 'InvalidMessage',
    });
    const none = message(b, [[PartType.restBody, Buffer.from('x')]]);
    const reader = new MultipartReader(chunks(none, 5), b);
    await reader.nextPart();
    await reader.skip();
    await expect(readTrailer(reader, null)).rejects.toMatchObject({ code: 'MissingSignature' });
  });

  it('SOAP faults round-trip and garbage is not a fault', () => {
    const f = { code: 'Server.ServerProxy.UnknownService', message: 'a < b', detail: 'x' };
    expect(parseSoapFault(buildSoapFault(f))).toEqual(f);
    for (const bad of ['', '<x/>', 'garbage', '<!DOCTYPE x><x/>']) expect(parseSoapFault(bad)).toBeNull();
  });
});

describe('REST endpoint patterns (access rights)', () => {
  it('match as the reference PathGlob does', () => {
    expect(compilePathGlob('/foo/*/bar').test('/foo/zyggy/bar')).toBe(true);
    expect(compilePathGlob('/foo/*/bar').test('/foo/zyggy/quux/bar')).toBe(false);
    expect(compilePathGlob('/foo/**bar').test('/foo/whatever//bar')).toBe(true);
    expect(compilePathGlob('/foo/**bar').test('/foo/zyggybar')).toBe(true);
    expect(compilePathGlob('/a.b').test('/aXb')).toBe(false);
    expect(compilePathGlob('/a\\*').test('/a*')).toBe(true);
    expect(compilePathGlob('/a\\*').test('/ab')).toBe(false);
    expect(compilePathGlob('/(x)+[y]').test('/(x)+[y]')).toBe(true);
  });

  it('combine method and path; * ** is the whole service', () => {
    expect(endpointMatches({ method: '*', path: '**' }, 'DELETE', '/anything/at/all')).toBe(true);
    expect(endpointMatches({ method: 'GET', path: '/*' }, 'get', '/38001085718')).toBe(true);
    expect(endpointMatches({ method: 'GET', path: '/*' }, 'POST', '/38001085718')).toBe(false);
    expect(endpointMatches({ method: 'GET', path: '/*' }, 'GET', '/a/b')).toBe(false);
  });

  it('turn OpenAPI templates into globs and decode the service path', () => {
    expect(openApiPathToGlob('/persons/{idCode}/documents/{n}')).toBe('/persons/*/documents/*');
    expect(accessPath('')).toBe('/');
    expect(accessPath('/a%2Fb')).toBe('/a/b');
    expect(() => accessPath('/%E0%A4%A')).toThrow(expect.objectContaining({ code: 'Client.BadRequest' }));
  });
});
