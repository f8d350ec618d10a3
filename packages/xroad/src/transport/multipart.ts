import { randomBytes } from 'node:crypto';
import { TransportError } from './errors.js';

/*
 * MIME multipart (RFC 2046 §5.1) as the X-Road transport message uses it: `multipart/mixed` with a
 * random boundary, parts carrying only a Content-Type header, bodies in binary. The writer produces the
 * framing around parts the caller streams; the reader parses a byte stream incrementally, keeping small
 * parts (headers, OCSP responses, signatures) within limits and streaming large ones (bodies) through.
 */

const CRLF = '\r\n';

/** A boundary like the reference's (`xtop` + random letters), 34 characters. */
export function newBoundary(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(30);
  let out = 'xtop';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** The framing of a multipart body: `start(type)` before each part, `end()` after the last. */
export class MultipartWriter {
  private first = true;
  constructor(readonly boundary: string) {}

  get contentType(): string {
    return `multipart/mixed; charset=UTF-8; boundary=${this.boundary}`;
  }

  /** The delimiter and headers that open a part. */
  start(contentType: string, headers: ReadonlyArray<readonly [string, string]> = []): Buffer {
    let text = `${this.first ? '' : CRLF}--${this.boundary}${CRLF}content-type: ${contentType}${CRLF}`;
    for (const [name, value] of headers) text += `${name}: ${value}${CRLF}`;
    this.first = false;
    return Buffer.from(text + CRLF, 'utf8');
  }

  /** The close delimiter. */
  end(): Buffer {
    return Buffer.from(`${CRLF}--${this.boundary}--${CRLF}`, 'utf8');
  }
}

/** The boundary parameter of a `multipart/*` Content-Type, or null. */
export function boundaryOf(contentType: string | undefined | null): string | null {
  if (!contentType || !/^\s*multipart\/(mixed|related)\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  // RFC 2046 bchars; a space may not end it.
  if (!b || !/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(b)) return null;
  return b;
}

export interface PartHeaders {
  /** Lower-cased header names → values. */
  readonly headers: ReadonlyMap<string, string>;
  /** The media type of the part, lower-cased and without parameters. */
  readonly contentType: string;
}

export interface MultipartLimits {
  /** Most bytes of part headers (default 16 KiB). */
  readonly maxHeaderBytes?: number;
  /** Most parts (default 64). */
  readonly maxParts?: number;
  /** Most bytes before the first delimiter (default 64 KiB). */
  readonly maxPreambleBytes?: number;
}

type Event = { kind: 'part'; part: PartHeaders } | { kind: 'data'; chunk: Buffer } | { kind: 'end' };

/**
 * An incremental multipart parser over an async byte source. Use `nextPart()` to get the next part's
 * headers, then either `readAll(limit)` or iterate `body()`; a part's body must be consumed (or
 * `skip()`ped) before the next part. `nextPart()` resolves to null after the close delimiter;
 * a stream that ends before it is `MimeParsingFailed`.
 */
export class MultipartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly delimiter: Buffer;
  private buffer: Buffer = Buffer.alloc(0);
  private sourceDone = false;
  private state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  private parts = 0;
  private inPart = false;
  /** Just after a part's headers: an empty body may be followed by a delimiter without its CRLF. */
  private bodyStart = false;
  private readonly limits: Required<MultipartLimits>;

  constructor(source: AsyncIterable<Uint8Array>, boundary: string, limits: MultipartLimits = {}) {
    this.iterator = source[Symbol.asyncIterator]();
    this.delimiter = Buffer.from(`${CRLF}--${boundary}`, 'utf8');
    // The first delimiter may start the stream without a preceding CRLF.
    this.buffer = Buffer.from(CRLF, 'utf8');
    this.limits = {
      maxHeaderBytes: limits.maxHeaderBytes ?? 16 * 1024,
      maxParts: limits.maxParts ?? 64,
      maxPreambleBytes: limits.maxPreambleBytes ?? 64 * 1024,
    };
  }

  private async fill(): Promise<boolean> {
    if (this.sourceDone) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.sourceDone = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return true;
  }

  private fail(message: string): never {
    this.state = 'done';
    throw new TransportError('MimeParsingFailed', message);
  }

  private async event(): Promise<Event> {
    for (;;) {
      switch (this.state) {
        case 'done':
          return { kind: 'end' };
        case 'preamble': {
          const at = this.buffer.indexOf(this.delimiter);
          if (at >= 0) {
            this.buffer = this.buffer.subarray(at + this.delimiter.length);
            this.state = 'after-delimiter';
            continue;
          }
          if (this.buffer.length > this.limits.maxPreambleBytes) this.fail('no multipart delimiter found');
          if (!(await this.fill())) this.fail('the message ended before the first part');
          continue;
        }
        case 'after-delimiter': {
          // "--" closes; otherwise optional whitespace then CRLF opens a part.
          const lineEnd = this.buffer.indexOf(CRLF);
          if (this.buffer.length >= 2 && this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) {
            this.state = 'done';
            this.buffer = Buffer.alloc(0);
            return { kind: 'end' };
          }
          if (lineEnd < 0) {
            if (this.buffer.length > 1024) this.fail('malformed multipart delimiter line');
            if (!(await this.fill())) this.fail('the message ended inside a delimiter');
            continue;
          }
          if (!/^[ \t]*$/.test(this.buffer.subarray(0, lineEnd).toString('latin1')))
            this.fail('malformed multipart delimiter line');
          this.buffer = this.buffer.subarray(lineEnd + 2);
          this.state = 'headers';
          continue;
        }
        case 'headers': {
          const end =
            this.buffer[0] === 0x0d && this.buffer[1] === 0x0a ? 0 : this.buffer.indexOf('\r\n\r\n');
          if (end < 0) {
            if (this.buffer.length > this.limits.maxHeaderBytes) this.fail('part headers too large');
            if (!(await this.fill())) this.fail('the message ended inside part headers');
            continue;
          }
          if (end > this.limits.maxHeaderBytes) this.fail('part headers too large');
          const text = end === 0 ? '' : this.buffer.subarray(0, end).toString('utf8');
          this.buffer = this.buffer.subarray(end === 0 ? 2 : end + 4);
          if (++this.parts > this.limits.maxParts) this.fail('too many parts');
          this.state = 'body';
          this.bodyStart = true;
          return { kind: 'part', part: parsePartHeaders(text, (m) => this.fail(m)) };
        }
        case 'body': {
          if (this.bodyStart) {
            // Lenient like common MIME readers (and pr-gconf's own example): the CRLF ending the
            // headers also serves as the delimiter's CRLF of an empty body.
            const bare = this.delimiter.subarray(2);
            if (this.buffer.length < bare.length && !this.sourceDone) {
              await this.fill();
              continue;
            }
            this.bodyStart = false;
            if (this.buffer.subarray(0, bare.length).equals(bare)) {
              this.buffer = this.buffer.subarray(bare.length);
              this.state = 'after-delimiter';
              return { kind: 'end' };
            }
          }
          const at = this.buffer.indexOf(this.delimiter);
          if (at >= 0) {
            const chunk = this.buffer.subarray(0, at);
            this.buffer = this.buffer.subarray(at + this.delimiter.length);
            this.state = 'after-delimiter';
            if (chunk.length > 0) return { kind: 'data', chunk };
            return { kind: 'end' };
          }
          // Keep a tail that could be the start of a delimiter split across chunks.
          const keep = this.delimiter.length - 1;
          if (this.buffer.length > keep) {
            const chunk = this.buffer.subarray(0, this.buffer.length - keep);
            this.buffer = this.buffer.subarray(this.buffer.length - keep);
            return { kind: 'data', chunk };
          }
          if (!(await this.fill())) this.fail('the message ended inside a part');
          continue;
        }
      }
    }
  }

  /** The next part's headers, or null after the last part. */
  async nextPart(): Promise<PartHeaders | null> {
    if (this.inPart) throw new TransportError('MimeParsingFailed', 'the previous part was not consumed');
    if (this.state === 'body') await this.skip();
    const e = await this.event();
    if (e.kind === 'end') return null;
    if (e.kind !== 'part') return this.fail('unexpected part data');
    this.inPart = true;
    return e.part;
  }

  /** The current part's body, chunk by chunk. */
  async *body(): AsyncGenerator<Buffer> {
    if (!this.inPart) return;
    try {
      for (;;) {
        if (this.state !== 'body') return;
        const e = await this.event();
        if (e.kind === 'data') yield e.chunk;
        else return;
      }
    } finally {
      this.inPart = false;
    }
  }

  /** The current part's whole body, refusing more than `limit` bytes. */
  async readAll(limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.body()) {
      size += chunk.length;
      if (size > limit) this.fail(`part larger than ${limit} bytes`);
      chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  /** Discard the rest of the current part. */
  async skip(): Promise<void> {
    this.inPart = true;
    for await (const _ of this.body()) {
      // discard
    }
  }

  /** After the last part: whatever follows the close delimiter is ignored (the epilogue). */
  get finished(): boolean {
    return this.state === 'done';
  }
}

function parsePartHeaders(text: string, fail: (m: string) => never): PartHeaders {
  const headers = new Map<string, string>();
  if (text !== '') {
    for (const line of text.split(CRLF)) {
      const colon = line.indexOf(':');
      if (colon <= 0) fail('malformed part header');
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) fail('malformed part header name');
      headers.set(name, line.slice(colon + 1).trim());
    }
  }
  const contentType = (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  return { headers, contentType };
}
