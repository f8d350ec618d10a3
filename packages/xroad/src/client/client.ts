import { randomUUID as nodeRandomUUID } from 'node:crypto';
import { classifyResponse } from '../errors/classify.js';
import { parseErrorBody } from '../errors/response.js';
import { XRoadClientId } from '../identifiers/client-id.js';
import { XRoadIdError } from '../identifiers/errors.js';
import type { SecurityServerId } from '../identifiers/security-server-id.js';
import { XRoadServiceId } from '../identifiers/service-id.js';
import { parseClientListJson, type ClientListEntry } from '../metadata/list-clients.js';
import { parseRestServiceList, type RestServiceDetails } from '../metadata/rest-services.js';
import { encodeRepresentedParty, type RepresentedParty } from '../rest/header-values.js';
import {
  filterHeaders,
  isValidHeaderName,
  isValidHeaderValue,
  XRoadHeader,
  type HeaderList,
} from '../rest/headers.js';
import { PROTOCOL_VERSION, type HttpMethod } from '../rest/request.js';
import { XRoadClientError } from './errors.js';

export interface XRoadClientOptions {
  /** The information system's Security Server client proxy, e.g. `http://127.0.0.1:8080`. */
  readonly securityServerUrl: string | URL;
  /** Who calls: sent as X-Road-Client on every request. */
  readonly client: XRoadClientId;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Makes X-Road-Id values (default: random UUIDs). */
  readonly randomUUID?: () => string;
  /** Abort a call that has not got response headers after this many milliseconds. Default 60 000. */
  readonly timeoutMs?: number;
}

export type QueryInit =
  string | URLSearchParams | Readonly<Record<string, string | number | boolean | ReadonlyArray<string>>>;

export interface XRoadCallOptions {
  /** Query parameters; a string is sent as given (already encoded), without the `?`. */
  readonly query?: QueryInit;
  /** X-Road-UserId, e.g. `EE38001085718`. */
  readonly userId?: string;
  /** X-Road-Issue: the case or document the call is made for. */
  readonly issue?: string;
  /** X-Road-Id; a fresh UUID when not given. */
  readonly messageId?: string;
  /** X-Road-Security-Server: route to this Security Server of the provider. */
  readonly securityServer?: SecurityServerId;
  /** X-Road-Represented-Party. */
  readonly representedParty?: RepresentedParty;
  /** Further headers, passed through to the provider (Accept, Content-Type, your own). */
  readonly headers?: HeaderList | Readonly<Record<string, string>>;
  /** The request body; streams (`ReadableStream`) are sent as they are read. */
  readonly body?: RequestInit['body'];
  readonly signal?: AbortSignal;
}

/** The X-Road headers of a response that came through the provider's Security Server. */
export interface XRoadResponseMeta {
  readonly messageId: string;
  readonly requestId: string;
  readonly requestHash: string;
  readonly client: XRoadClientId;
  readonly service: XRoadServiceId;
}

/**
 * A provider's response, passed through X-Road: status, headers and body are the provider service's
 * own (PR-REST §4.6 category 1 errors included — check `ok`). The body is a stream: read it once.
 */
export interface XRoadResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly xRoad: XRoadResponseMeta;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  bytes(): Promise<Uint8Array>;
}

/** Error bodies are read only this far. */
const MAX_ERROR_BODY_BYTES = 256 * 1024;

/**
 * A small client for information systems that speaks the X-Road Message Protocol for REST (PR-REST) to
 * a Security Server's client proxy:
 *
 * ```ts
 * const xroad = new XRoadClient({ securityServerUrl: 'http://127.0.0.1:8080', client: XRoadClientId.parse('EE/GOV/70000001/portal') });
 * const res = await xroad.get(XRoadServiceId.parse('EE/GOV/70000002/rr/persons'), '/v1/persons/38001085718', { userId: 'EE38001085718' });
 * ```
 *
 * It throws `XRoadClientError` with code `X_ROAD_ERROR` when the response carries X-Road-Error (the
 * failure is X-Road's, PR-REST §4.6) and returns every other response, the provider's errors included.
 *
 * The request hash cannot be checked here: PR-REST §4.3 has the consumer's Security Server verify it,
 * against the request as that server transported it (with headers the client never sees). What the
 * client can check it does: a response that passed through the provider's Security Server echoes
 * X-Road-Id, X-Road-Client and X-Road-Service of the request and carries X-Road-Request-Id and a
 * well-formed X-Road-Request-Hash; a response that does not is refused as `INCONSISTENT_RESPONSE`.
 */
export class XRoadClient {
  private readonly base: string;
  private readonly client: XRoadClientId;
  private readonly fetch: typeof fetch;
  private readonly randomUUID: () => string;
  private readonly timeoutMs: number;

  constructor(options: XRoadClientOptions) {
    let url: URL;
    try {
      url = new URL(options.securityServerUrl);
    } catch (cause) {
      throw new XRoadClientError('BAD_ARGUMENT', 'securityServerUrl is not a URL', { cause });
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
      throw new XRoadClientError(
        'BAD_ARGUMENT',
        'securityServerUrl must be an http(s) URL without query or fragment',
      );
    }
    if (!(options.client instanceof XRoadClientId))
      throw new XRoadClientError('BAD_ARGUMENT', 'client must be an XRoadClientId');
    this.base = url.href.replace(/\/+$/, '');
    this.client = options.client;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.randomUUID = options.randomUUID ?? nodeRandomUUID;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get(service: XRoadServiceId, path = '', options?: Omit<XRoadCallOptions, 'body'>): Promise<XRoadResponse> {
    return this.request('GET', service, path, options);
  }

  post(service: XRoadServiceId, path = '', options?: XRoadCallOptions): Promise<XRoadResponse> {
    return this.request('POST', service, path, options);
  }

  put(service: XRoadServiceId, path = '', options?: XRoadCallOptions): Promise<XRoadResponse> {
    return this.request('PUT', service, path, options);
  }

  patch(service: XRoadServiceId, path = '', options?: XRoadCallOptions): Promise<XRoadResponse> {
    return this.request('PATCH', service, path, options);
  }

  delete(service: XRoadServiceId, path = '', options?: XRoadCallOptions): Promise<XRoadResponse> {
    return this.request('DELETE', service, path, options);
  }

  /**
   * Calls `service` (PR-REST §4.1): `{method} /r1/{serviceId}{path}[?query]` with X-Road-Client.
   * `path` is the service path, already percent-encoded: `''` or starting with `/`.
   */
  async request(
    method: HttpMethod,
    service: XRoadServiceId,
    path = '',
    options: XRoadCallOptions = {},
  ): Promise<XRoadResponse> {
    const url = `${this.base}/${PROTOCOL_VERSION}/${encodeService(service)}${checkPath(path)}${queryString(options.query)}`;
    const messageId = options.messageId ?? this.randomUUID();
    const headers = new Headers();
    for (const [name, value] of headerEntries(options.headers)) headers.append(name, value);
    for (const name of Object.values(XRoadHeader)) headers.delete(name);
    headers.set(XRoadHeader.Client, this.client.encode());
    headers.set(XRoadHeader.Id, checkValue(messageId, 'messageId'));
    if (options.userId !== undefined) headers.set(XRoadHeader.UserId, checkValue(options.userId, 'userId'));
    if (options.issue !== undefined) headers.set(XRoadHeader.Issue, checkValue(options.issue, 'issue'));
    if (options.securityServer !== undefined)
      headers.set(XRoadHeader.SecurityServer, options.securityServer.encode());
    if (options.representedParty !== undefined) {
      headers.set(
        XRoadHeader.RepresentedParty,
        identifier(() => encodeRepresentedParty(options.representedParty!)),
      );
    }
    const response = await this.send(url, method, headers, options.body ?? null, options.signal);
    await throwOnXRoadError(response);

    const meta = readMeta(response.headers);
    if (meta === null) {
      await response.body?.cancel();
      throw new XRoadClientError('INCONSISTENT_RESPONSE', 'response lacks the X-Road response headers', {
        status: response.status,
      });
    }
    const mismatch =
      meta.messageId !== messageId
        ? 'X-Road-Id'
        : !meta.client.equals(this.client)
          ? 'X-Road-Client'
          : !meta.service.equals(service)
            ? 'X-Road-Service'
            : null;
    if (mismatch !== null) {
      await response.body?.cancel();
      throw new XRoadClientError('INCONSISTENT_RESPONSE', `response ${mismatch} does not match the request`, {
        status: response.status,
      });
    }
    return wrap(response, meta);
  }

  /** listMethods of `provider` (PR-MREST §4): its REST services and endpoints. */
  async listMethods(
    provider: XRoadClientId,
    options?: Omit<XRoadCallOptions, 'body' | 'query'>,
  ): Promise<RestServiceDetails[]> {
    return this.serviceList('listMethods', provider, options);
  }

  /** allowedMethods of `provider` (PR-MREST §4): what this client may call. */
  async allowedMethods(
    provider: XRoadClientId,
    options?: Omit<XRoadCallOptions, 'body' | 'query'>,
  ): Promise<RestServiceDetails[]> {
    return this.serviceList('allowedMethods', provider, options);
  }

  /** getOpenAPI (PR-MREST §5): the OpenAPI description of `provider`'s service `serviceCode`, as served. */
  async getOpenApi(
    provider: XRoadClientId,
    serviceCode: string,
    options?: Omit<XRoadCallOptions, 'body' | 'query'>,
  ): Promise<string> {
    const res = await this.get(metaservice(provider, 'getOpenAPI'), '', {
      ...options,
      query: { serviceCode },
    });
    return res.text();
  }

  /** listClients (PR-META §2): the members and subsystems of this instance or of `instance`. */
  async listClients(
    instance?: string,
    options?: { readonly signal?: AbortSignal },
  ): Promise<ClientListEntry[]> {
    const query =
      instance === undefined ? '' : `?${new URLSearchParams({ xRoadInstance: instance }).toString()}`;
    const headers = new Headers({ Accept: 'application/json' });
    const response = await this.send(
      `${this.base}/listClients${query}`,
      'GET',
      headers,
      null,
      options?.signal,
    );
    await throwOnXRoadError(response);
    return parseJson(response, (json) => parseClientListJson(json, { policy: 'lenient' }));
  }

  private async serviceList(
    code: 'listMethods' | 'allowedMethods',
    provider: XRoadClientId,
    options?: Omit<XRoadCallOptions, 'body' | 'query'>,
  ): Promise<RestServiceDetails[]> {
    const headers = { Accept: 'application/json', ...Object.fromEntries(headerEntries(options?.headers)) };
    const res = await this.get(metaservice(provider, code), '', { ...options, headers });
    return parseJson(res, (json) => parseRestServiceList(json, { policy: 'lenient' }));
  }

  private async send(
    url: string,
    method: string,
    headers: Headers,
    body: RequestInit['body'],
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const init: RequestInit = {
      method,
      headers,
      body,
      redirect: 'manual', // X-Road passes redirects through (PR-REST §4.4); following them is the caller's choice
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    };
    // A stream body needs half-duplex mode in fetch.
    if (body instanceof ReadableStream) (init as RequestInit & { duplex: 'half' }).duplex = 'half';
    try {
      return await this.fetch(url, init);
    } catch (cause) {
      if (timeout.aborted)
        throw new XRoadClientError('TIMEOUT', `no response within ${this.timeoutMs} ms`, { cause });
      if (signal?.aborted) throw cause;
      throw new XRoadClientError('NETWORK_ERROR', 'cannot reach the Security Server', { cause });
    }
  }
}

function metaservice(provider: XRoadClientId, code: string): XRoadServiceId {
  return identifier(() => XRoadServiceId.ofProvider(provider, code, { policy: 'lenient' }));
}

function encodeService(service: XRoadServiceId): string {
  if (!(service instanceof XRoadServiceId))
    throw new XRoadClientError('BAD_ARGUMENT', 'service must be an XRoadServiceId');
  if (service.subsystemCode === null) {
    // In the request path the subsystem cannot be left out (see parseRequestTarget).
    throw new XRoadClientError(
      'BAD_ARGUMENT',
      'REST services are called on a subsystem: the service needs a subsystem code',
    );
  }
  return identifier(() => service.encode());
}

function identifier<T>(make: () => T): T {
  try {
    return make();
  } catch (cause) {
    if (cause instanceof XRoadIdError) throw new XRoadClientError('BAD_ARGUMENT', cause.message, { cause });
    throw cause;
  }
}

// The same rules the client proxy applies (parseRequestTarget): visible ASCII, well-formed escapes, no
// query or fragment, no backslash, no dot segments.
function checkPath(path: string): string {
  if (typeof path !== 'string') throw new XRoadClientError('BAD_ARGUMENT', 'path must be a string');
  if (path === '') return path;
  if (!path.startsWith('/'))
    throw new XRoadClientError('BAD_ARGUMENT', 'path must be empty or start with "/"');
  if (!/^[\x21-\x7e]*$/.test(path) || /[?#\\]/.test(path) || !/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(path)) {
    throw new XRoadClientError(
      'BAD_ARGUMENT',
      'path must be percent-encoded and hold no query, fragment or backslash',
    );
  }
  for (const segment of path.split('/')) {
    const bare = segment.replace(/%2e/gi, '.').split(';')[0];
    if (bare === '.' || bare === '..') throw new XRoadClientError('BAD_ARGUMENT', 'path holds a dot segment');
  }
  return path;
}

function queryString(query: QueryInit | undefined): string {
  if (query === undefined) return '';
  let text: string;
  if (typeof query === 'string') text = query.startsWith('?') ? query.slice(1) : query;
  else if (query instanceof URLSearchParams) text = query.toString();
  else {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (Array.isArray(value)) for (const v of value as ReadonlyArray<string>) params.append(name, v);
      else params.append(name, String(value));
    }
    text = params.toString();
  }
  if (!/^[\x21-\x7e]*$/.test(text) || text.includes('#')) {
    throw new XRoadClientError('BAD_ARGUMENT', 'query must be percent-encoded');
  }
  return text === '' ? '' : `?${text}`;
}

function headerEntries(headers: XRoadCallOptions['headers']): Array<readonly [string, string]> {
  if (headers === undefined) return [];
  const entries = Array.isArray(headers)
    ? (headers as HeaderList)
    : Object.entries(headers as Record<string, string>);
  for (const [name, value] of entries) {
    if (!isValidHeaderName(name) || typeof value !== 'string' || !isValidHeaderValue(value)) {
      throw new XRoadClientError(
        'BAD_ARGUMENT',
        `invalid header ${JSON.stringify(String(name).slice(0, 64))}`,
      );
    }
  }
  // Hop-by-hop and framing headers belong to this connection, not to the provider (fetch also refuses
  // some of them outright), so they are left out as a Security Server would leave them out.
  return [...filterHeaders(entries)];
}

function checkValue(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || !isValidHeaderValue(value) || value.length > 1024) {
    throw new XRoadClientError('BAD_ARGUMENT', `invalid ${what}`);
  }
  return value;
}

/** Throws `X_ROAD_ERROR` when the response carries X-Road-Error. */
async function throwOnXRoadError(response: Response): Promise<void> {
  const header = response.headers.get(XRoadHeader.Error);
  if (header === null) return;
  const text = await readLimited(response, MAX_ERROR_BODY_BYTES).catch(() => '');
  const body = parseErrorBody(response.headers.get('content-type'), text);
  const headerList = [[XRoadHeader.Error, header]] as const;
  const classification = classifyResponse(response.status, headerList, body);
  const fault = body ?? { type: header, message: '', detail: '' };
  throw new XRoadClientError('X_ROAD_ERROR', `${fault.type}${fault.message ? `: ${fault.message}` : ''}`, {
    status: response.status,
    fault,
    classification,
  });
}

function readMeta(headers: Headers): XRoadResponseMeta | null {
  const messageId = headers.get(XRoadHeader.Id);
  const requestId = headers.get(XRoadHeader.RequestId);
  const requestHash = headers.get(XRoadHeader.RequestHash);
  const client = headers.get(XRoadHeader.Client);
  const service = headers.get(XRoadHeader.Service);
  if (!messageId || !requestId || !requestHash || !client || !service) return null;
  // A SHA-512 digest in base64 (PR-REST §4.3); one header each, so no ", " joins.
  if (!/^[A-Za-z0-9+/]{86}==$/.test(requestHash)) return null;
  try {
    return {
      messageId,
      requestId,
      requestHash,
      client: XRoadClientId.parse(client, { policy: 'lenient' }),
      service: XRoadServiceId.parse(service, { policy: 'lenient' }),
    };
  } catch {
    return null;
  }
}

function wrap(response: Response, meta: XRoadResponseMeta): XRoadResponse {
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    body: response.body,
    xRoad: meta,
    text: () => response.text(),
    json: <T>() => response.json() as Promise<T>,
    bytes: async () => new Uint8Array(await response.arrayBuffer()),
  };
}

async function parseJson<T>(response: { text(): Promise<string> }, read: (json: unknown) => T): Promise<T> {
  const text = await response.text();
  try {
    return read(JSON.parse(text));
  } catch (cause) {
    throw new XRoadClientError('BAD_RESPONSE', 'not a valid metaservice response', { cause });
  }
}

async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream, so an endless body is not read to its end.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
