import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildProviderRequest, parseRestRequestPart, requestHash, RequestHasher } from '../src/index.js';

/*
 * An `application/x-road-rest-request` part made by the reference Security Server, with the request
 * body and the two SHA-512 digests its XAdES signature holds for them (ds:Reference URI="/message.xml"
 * and URI="/attachment1"). Source: nordic-institute/X-Road (MIT licence), commit 9db03136fcf8,
 * src/lib/globalconf-impl/src/test/signatures/non-batch-sig/{message.xml,attachment1,signatures.xml}.
 * Values only; transcribed here because the file is not in ../shared/test-data.
 */
const PART =
  'POST\r\n/r1/DEV/COM/1234/TestService/mock1\r\n' +
  'X-Road-Force-Legacy-Transport:true\r\n' +
  'X-Road-Client:DEV/COM/4321/TestClient\r\n' +
  'X-Road-Force-Policy-Reevaluation:true\r\n' +
  'Content-Type:application/json\r\n' +
  'Accept:*/*\r\n' +
  'Postman-Token:81b4e8fa-6ec6-4a5f-9ee5-991567624ba1\r\n' +
  'Accept-Encoding:gzip, deflate, br\r\n' +
  'x-road-request-id:9bb842bb-9256-429b-8e9d-278c7b94f8f1\r\n' +
  'x-road-id:DEV-7012d0aa-a51d-4200-94ed-1e68f43bccfc\r\n';
const BODY = '{"test":true}';
const SIGNED_PART_DIGEST =
  'QWsRWE9PqI9AWsENFMfzmvrt8Amcn4tgQzJ4DfW2KnWqTEcO0WS20YPU3qbZ8Yl0ZOe07bCYdWMWdH9UQPr/3g==';
const SIGNED_BODY_DIGEST =
  'a/ACZyGtDpyAluZzPgOQK52GqPcZ8ychXX7vHKsWZSf+NUL6awjJYKnNW2VUyz/AFDGqzmlMOAYnDWWnHmHi4w==';

const bytes = new Uint8Array(Buffer.from(PART, 'utf8'));

describe('a REST request part written by the reference Security Server', () => {
  it('is transcribed exactly (its SHA-512 is the digest the reference signed)', () => {
    expect(bytes).toHaveLength(394);
    expect(createHash('sha512').update(bytes).digest('base64')).toBe(SIGNED_PART_DIGEST);
    expect(createHash('sha512').update(BODY).digest('base64')).toBe(SIGNED_BODY_DIGEST);
  });

  it("is read by riik's provider side", () => {
    const part = parseRestRequestPart(bytes);
    expect(part.request.method).toBe('POST');
    expect(part.request.service.encode()).toBe('DEV/COM/1234/TestService/mock1');
    expect(part.request.servicePath).toBe('');
    expect(part.request.query).toBeNull();
    expect(part.request.client.encode()).toBe('DEV/COM/4321/TestClient');
    expect(part.messageId).toBe('DEV-7012d0aa-a51d-4200-94ed-1e68f43bccfc');
    expect(part.requestId).toBe('9bb842bb-9256-429b-8e9d-278c7b94f8f1');
    // X-Road extension headers and the client's own pass through to the provider.
    const provider = buildProviderRequest(part, 'http://mock.example/');
    expect(provider.url).toBe('http://mock.example/');
    expect(provider.headers).toContainEqual(['X-Road-Force-Legacy-Transport', 'true']);
    expect(provider.headers).toContainEqual(['Postman-Token', '81b4e8fa-6ec6-4a5f-9ee5-991567624ba1']);
    expect(provider.headers).toContainEqual(['x-road-id', 'DEV-7012d0aa-a51d-4200-94ed-1e68f43bccfc']);
  });

  it('gets the request hash made of exactly the two digests the reference signed', () => {
    const fromSignature = createHash('sha512')
      .update(Buffer.from(SIGNED_PART_DIGEST, 'base64'))
      .update(Buffer.from(SIGNED_BODY_DIGEST, 'base64'))
      .digest('base64');
    expect(requestHash(bytes, Buffer.from(BODY))).toBe(fromSignature);
    const streamed = new RequestHasher(bytes)
      .update(Buffer.from('{"test"'))
      .update(Buffer.from(':true}'))
      .digest();
    expect(Buffer.from(streamed).toString('base64')).toBe(fromSignature);
  });
});
