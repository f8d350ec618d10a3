import { connect, type Socket } from 'node:net';

export interface Http1Response {
  status: number;
  /** Lower-case names; `set-cookie` (and any repeated header) as a list. */
  headers: Record<string, string | string[]>;
  body: string;
}

export interface Http1Request {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const CRLF = Buffer.from('\r\n');
/** Reuse idle connections only this long (the server's keep-alive timeout is longer). */
const IDLE_REUSE_MS = 2000;
const HEAD_END = Buffer.from('\r\n\r\n');

/** One response being read from a connection. */
class ResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private head?: { status: number; headers: Record<string, string | string[]>; bodyStart: number };

  /** Feed bytes; returns the response once complete. */
  push(chunk: Buffer): Http1Response | undefined {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.head) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) return undefined;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
      if (!status) throw new Error(`not an HTTP/1.1 response: ${lines[0]}`);
      const headers: Record<string, string | string[]> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        const before = headers[name];
        if (before === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
        else headers[name] = [...(Array.isArray(before) ? before : [before]), value];
      }
      this.head = { status, headers, bodyStart: end + 4 };
    }
    const { status, headers, bodyStart } = this.head;
    if (status === 204 || status === 304) return { status, headers, body: '' };
    const length = headers['content-length'];
    if (typeof length === 'string') {
      const end = bodyStart + Number(length);
      if (this.buffer.length < end) return undefined;
      return { status, headers, body: this.buffer.toString('utf8', bodyStart, end) };
    }
    if (headers['transfer-encoding'] !== 'chunked') throw new Error('response without a length');
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = this.buffer.indexOf(CRLF, at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.buffer.toString('latin1', at, lineEnd), 16);
      const dataEnd = lineEnd + 2 + size;
      if (this.buffer.length < dataEnd + 2) return undefined;
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8') };
      parts.push(this.buffer.subarray(lineEnd + 2, dataEnd));
      at = dataEnd + 2;
    }
  }
}

/**
 * A minimal HTTP/1.1 client with keep-alive connections to one origin, for the load generator:
 * each request is one write, each response is parsed from the socket's bytes (Content-Length or
 * chunked). node:http's client costs the benchmark process several times more CPU per request,
 * and the benchmark process shares the machine's two cores with the service it measures. The
 * service under test sees ordinary HTTP/1.1 requests.
 */
export class Http1Client {
  /** Kept-alive connections not in use, with when they became idle. */
  private readonly idle: Array<{ socket: Socket; since: number }> = [];
  private readonly all = new Set<Socket>();
  private readonly hostHeader: string;

  constructor(private readonly origin: URL) {
    this.hostHeader = origin.host;
  }

  request(path: string, init: Http1Request = {}): Promise<Http1Response> {
    let head = `${init.method ?? 'GET'} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const [name, value] of Object.entries(init.headers ?? {})) head += `${name}: ${value}\r\n`;
    if (init.body !== undefined) head += `content-length: ${Buffer.byteLength(init.body)}\r\n`;
    const message = `${head}\r\n${init.body ?? ''}`;
    const socket = this.takeIdle() ?? this.open();
    return new Promise<Http1Response>((resolve, reject) => {
      const reader = new ResponseReader();
      const done = (err: Error | undefined, response?: Http1Response) => {
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (err) {
          this.all.delete(socket);
          socket.destroy();
          reject(err);
          return;
        }
        if (response!.headers.connection === 'close') {
          this.all.delete(socket);
          socket.destroy();
        } else this.idle.push({ socket, since: performance.now() });
        resolve(response!);
      };
      const onData = (chunk: Buffer) => {
        let response: Http1Response | undefined;
        try {
          response = reader.push(chunk);
        } catch (err) {
          done(err as Error);
          return;
        }
        if (response) done(undefined, response);
      };
      const onError = (err: Error) => done(err);
      const onClose = () => done(new Error('connection closed before the response'));
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.write(message);
    });
  }

  /**
   * The most recently used idle connection, unless the server may be about to close it
   * (riik's services keep idle connections 5 s): sending on a connection the server is closing
   * would lose the request.
   */
  private takeIdle(): Socket | undefined {
    for (;;) {
      const entry = this.idle.pop();
      if (!entry) return undefined;
      if (!entry.socket.destroyed && performance.now() - entry.since < IDLE_REUSE_MS) return entry.socket;
      this.all.delete(entry.socket);
      entry.socket.destroy();
    }
  }

  private open(): Socket {
    const socket = connect({
      host: this.origin.hostname,
      port: Number(this.origin.port || 80),
      noDelay: true,
    });
    // an idle connection the server closes is simply dropped
    socket.on('error', () => undefined);
    socket.on('close', () => this.all.delete(socket));
    this.all.add(socket);
    return socket;
  }

  close(): void {
    for (const socket of this.all) socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
