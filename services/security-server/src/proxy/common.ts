import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import {
  buildErrorResponse,
  GlobalConfError,
  MetadataError,
  readTrailer,
  TransportError,
  XRoadFault,
  XRoadIdError,
  type MessageDigests,
  type MultipartReader,
  type PartHeaders,
  type SignatureData,
  type XRoadErrorPrefix,
  type XRoadFaultType,
} from '@riik/xroad';
import { CertRefused } from '../cert-checker.js';

/** An error id for the `detail` of an X-Road error, as the reference Security Server makes them. */
export function errorId(): string {
  return randomUUID();
}

/** Any error as the X-Road fault a proxy answers with; unexpected errors become InternalError. */
export function toFault(err: unknown, prefix: XRoadErrorPrefix): XRoadFault {
  if (err instanceof XRoadFault) return err;
  if (err instanceof TransportError)
    return new XRoadFault(`${prefix}.${err.code}` as XRoadFaultType, err.message, { cause: err });
  if (err instanceof CertRefused) return err.toFault(prefix, 'CertValidation');
  if (err instanceof GlobalConfError)
    return new XRoadFault(`${prefix}.MalformedGlobalConf` as XRoadFaultType, err.message, { cause: err });
  if (err instanceof XRoadIdError || err instanceof MetadataError)
    return new XRoadFault(`${prefix}.InvalidMessage` as XRoadFaultType, err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new XRoadFault(`${prefix}.InternalError` as XRoadFaultType, `internal error: ${message}`, {
    cause: err,
  });
}

/** Answer an information system with an X-Road error (PR-REST §4.6); destroy when too late for that. */
export function sendXRoadError(req: IncomingMessage, res: ServerResponse, fault: XRoadFault): void {
  if (res.headersSent) {
    res.destroy(fault);
    return;
  }
  const response = buildErrorResponse(fault.toBody(errorId()), req.headers.accept);
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(response.body) };
  for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
  res.writeHead(response.status, headers);
  res.end(response.body);
  // An unread request body would otherwise keep the connection busy.
  if (!req.complete) req.resume();
}

/** Write with backpressure: resolves when the stream can take more. */
export function write(stream: Writable, chunk: Uint8Array): Promise<void> | void {
  if (stream.write(chunk)) return;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      stream.off('close', onClose);
      resolve();
    };
    const onError = (err: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      reject(err);
    };
    const onClose = () => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      reject(new Error('the connection closed'));
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/**
 * Writes one message to a stream in as few writes as possible: parts are held until more than
 * `limit` bytes wait, so a message that fits goes out whole with its end. Every write to a TLS
 * connection is a TLS record and a system call here, and a read event with a parsing pass at the
 * other side; a small exchange made three of each per direction. Large bodies still stream.
 */
export class Coalescer {
  private parts: Buffer[] = [];
  private size = 0;
  private streaming = false;

  constructor(
    private readonly stream: Writable,
    private readonly limit: number,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    // Once a message is larger than the limit, its chunks pass straight through (no copies).
    if (this.streaming) return write(this.stream, chunk);
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.streaming = true;
      await write(this.stream, this.take());
    }
  }

  /** Send what is held now (without waiting for the stream to drain). */
  flush(): void {
    if (this.size > 0) this.stream.write(this.take());
  }

  /** Send what is held with `last` and end the stream. */
  end(last: Buffer): void {
    this.parts.push(last);
    this.size += last.length;
    this.stream.end(this.take());
  }

  private take(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return all;
  }
}

/** HeaderList → Node outgoing headers (repeated names become arrays). */
export function headerObject(
  list: ReadonlyArray<readonly [string, string]>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const key = name.toLowerCase();
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** A body source that counts and enforces a size limit. */
export async function* limited(
  source: AsyncIterable<Uint8Array>,
  max: number,
  onTooLarge: () => Error,
): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of source) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += b.length;
    if (size > max) throw onTooLarge();
    yield b;
  }
}

/** An X-Road fault of `type`, keeping the error that caused it. */
export function fault(type: XRoadFaultType, message: string, cause?: unknown): XRoadFault {
  return new XRoadFault(type, message, cause === undefined ? undefined : { cause });
}

/** What a message signature covers: the REST header part and, when the message had one, its body. */
export function messageDigests(headerPart: Uint8Array, body: Hash | null): MessageDigests {
  return {
    message: new Uint8Array(createHash('sha512').update(headerPart).digest()),
    attachments: body ? [new Uint8Array(body.digest())] : [],
  };
}

/**
 * The signature that ends a peer's message (`next`: the part already read after the body, if any);
 * a fault the peer sent in its place, having failed after it began streaming, is thrown as itself.
 */
export async function readPeerSignature(
  reader: MultipartReader,
  next: PartHeaders | null,
): Promise<SignatureData> {
  const trailer = await readTrailer(reader, next);
  if (trailer.kind === 'fault')
    throw new XRoadFault(trailer.fault.code as XRoadFaultType, trailer.fault.message, {
      detail: trailer.fault.detail,
    });
  return trailer.signature;
}
