import { createHash, timingSafeEqual, type Hash } from 'node:crypto';

/**
 * X-Road-Request-Hash (PR-REST §4.3): "the base-64 encoded SHA512(SHA512(headers)+SHA512(body)). If
 * there is no body, then only the headers are included in the calculation i.e. the field contains the
 * base-64 encoded SHA512(headers)." Made by the provider's Security Server, verified by the consumer's.
 *
 * riik's reading (docs/xroad-compat.md): "headers" is the REST header part of the transport message
 * (PR-MESSTRANSP §3.1, `application/x-road-rest-request`: request line and headers, exactly the bytes
 * sent between the Security Servers), "body" the bytes of the `application/x-road-rest-body` part, and
 * `+` is concatenation of the two 64-byte digests. A request has a body when it has at least one byte
 * of it. Both Security Servers hash the same transported bytes, so no header serialisation rule beyond
 * the part's own format is needed; the reference Security Server computes the same thing.
 */
export class RequestHasher {
  private readonly headersDigest: Buffer;
  private readonly body: Hash = createHash('sha512');
  private bodyLength = 0;
  private done = false;

  /** `requestPart` is the REST request header part as transported (`RestRequestPart.bytes`). */
  constructor(requestPart: Uint8Array) {
    this.headersDigest = createHash('sha512').update(requestPart).digest();
  }

  /** Feeds the next chunk of the request body; bodies are hashed as they stream past. */
  update(chunk: Uint8Array): this {
    if (this.done) throw new Error('RequestHasher: digest() was already called');
    this.bodyLength += chunk.byteLength;
    this.body.update(chunk);
    return this;
  }

  /** The 64-byte request hash. */
  digest(): Uint8Array {
    if (this.done) throw new Error('RequestHasher: digest() was already called');
    this.done = true;
    if (this.bodyLength === 0) return new Uint8Array(this.headersDigest);
    const bodyDigest = this.body.digest();
    return new Uint8Array(createHash('sha512').update(this.headersDigest).update(bodyDigest).digest());
  }
}

/** The X-Road-Request-Hash header value for a request part and its whole body (if any). */
export function requestHash(requestPart: Uint8Array, body?: Uint8Array | null): string {
  const hasher = new RequestHasher(requestPart);
  if (body) hasher.update(body);
  return Buffer.from(hasher.digest()).toString('base64');
}

/**
 * True when the X-Road-Request-Hash value carries exactly `expected` (compared in constant time).
 * Anything that is not canonical base64 of 64 bytes is a mismatch.
 */
export function requestHashMatches(headerValue: string | null | undefined, expected: Uint8Array): boolean {
  if (typeof headerValue !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(headerValue.trim())) return false;
  const got = Buffer.from(headerValue.trim(), 'base64');
  return got.length === expected.byteLength && timingSafeEqual(got, expected);
}
