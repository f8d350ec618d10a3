import { XRoadFault } from '../errors/fault.js';
import { XRoadClientId } from '../identifiers/client-id.js';
import { XRoadServiceId } from '../identifiers/service-id.js';
import { encodeRepresentedParty } from './header-values.js';
import {
  filterHeaders,
  HOP_BY_HOP_HEADERS,
  isValidHeaderName,
  isValidHeaderValue,
  lastHeader,
  ORIGIN_HEADERS,
  SPECIALLY_HANDLED_HEADERS,
  XRoadHeader,
  type HeaderField,
  type HeaderList,
} from './headers.js';
import {
  parseRestRequest,
  X_ROAD_PROTOCOL_HEADERS,
  type ParseRestRequestOptions,
  type RestRequest,
} from './request.js';

/*
 * The REST header parts of the X-Road transport message (PR-MESSTRANSP §3.1: `application/x-road-rest-
 * request` and `application/x-road-rest-response`, "HTTP request line ... and HTTP headers"). The byte
 * format is the reference Security Server's, so riik's parts are read by X-Road and vice versa:
 *
 *   request:  METHOD CRLF path[?query] CRLF (name ":" value CRLF)*
 *   response: STATUS CRLF reason CRLF (name ":" value CRLF)*
 *
 * UTF-8, no space after the colon, no blank line at the end. Headers the Security Servers write are
 * named in lower case, as the reference writes them (and as clients see them, PR-REST §6).
 */

const CRLF = '\r\n';

/** The most bytes riik reads as a REST header part; the request limits keep real parts far below. */
export const MAX_REST_PART_BYTES = 128 * 1024;

/** A REST request as it travels between Security Servers. */
export interface RestRequestPart {
  readonly request: RestRequest;
  /** X-Road-Id: the client's, or the one the consumer's Security Server made. */
  readonly messageId: string;
  /** X-Road-Request-Id: made by the consumer's Security Server for this request/response pair. */
  readonly requestId: string;
  /** The headers of the part, in order: what the provider service will receive. */
  readonly headers: HeaderList;
  /** The part exactly as transported; the request hash is computed over these bytes. */
  readonly bytes: Uint8Array;
}

/** The lower-case spellings the Security Servers write. */
const H = {
  client: 'x-road-client',
  service: 'x-road-service',
  id: 'x-road-id',
  userId: 'x-road-userid',
  issue: 'x-road-issue',
  securityServer: 'x-road-security-server',
  representedParty: 'x-road-represented-party',
  requestId: 'x-road-request-id',
  requestHash: 'x-road-request-hash',
} as const;

/**
 * Consumer side: makes the REST request header part from a parsed client request. The client's
 * pass-through headers come first, in order; then the X-Road headers, each exactly once (the last of
 * repeated ones won when parsing): X-Road-Client, X-Road-Id (generated when the client sent none —
 * PR-REST §4.3 SHALL), the optional ones the client sent, and X-Road-Request-Id.
 */
export function buildRestRequestPart(
  request: RestRequest,
  ids: { readonly requestId: string; readonly newMessageId: () => string },
): RestRequestPart {
  const messageId = request.messageId ?? ids.newMessageId();
  checkHeaderValue(messageId, 'X-Road-Id');
  checkHeaderValue(ids.requestId, 'X-Road-Request-Id');
  const headers: HeaderField[] = [...request.headers, [H.client, request.client.encode()], [H.id, messageId]];
  if (request.userId !== null) headers.push([H.userId, request.userId]);
  if (request.issue !== null) headers.push([H.issue, request.issue]);
  if (request.securityServer !== null) headers.push([H.securityServer, request.securityServer.encode()]);
  if (request.representedParty !== null)
    headers.push([H.representedParty, encodeRepresentedParty(request.representedParty)]);
  headers.push([H.requestId, ids.requestId]);
  const target = request.query === null ? request.path : `${request.path}?${request.query}`;
  const bytes = serialize(request.method, target, headers);
  return { request: { ...request, messageId }, messageId, requestId: ids.requestId, headers, bytes };
}

/**
 * Provider side: reads a REST request header part received from the consumer's Security Server. The
 * request is checked like a client request; X-Road-Id and X-Road-Request-Id must be present. Faults are
 * `Server.ServerProxy.InvalidMessage` (the part is the consumer Security Server's output, not a client's).
 */
export function parseRestRequestPart(bytes: Uint8Array, options?: ParseRestRequestOptions): RestRequestPart {
  const lines = splitPart(bytes, 'request');
  const [method, target, ...headerLines] = lines as [string, string, ...string[]];
  const headers = parseHeaderLines(headerLines);
  let request: RestRequest;
  try {
    // The X-Road headers are read from the part itself; the pass-through list keeps only the others.
    request = parseRestRequest(method, target, headers, options);
  } catch (err) {
    if (err instanceof XRoadFault) throw invalid(`REST request part: ${err.message}`, err);
    throw err;
  }
  const requestId = lastHeader(headers, XRoadHeader.RequestId)?.trim();
  if (!requestId) throw invalid('REST request part without X-Road-Request-Id');
  if (request.messageId === null) throw invalid('REST request part without X-Road-Id');
  return { request, messageId: request.messageId, requestId, headers, bytes };
}

/** A REST response as it travels between Security Servers. */
export interface RestResponsePart {
  readonly status: number;
  readonly reason: string;
  /** The headers of the part: the provider's (filtered) plus the X-Road response headers. */
  readonly headers: HeaderList;
  readonly messageId: string;
  readonly client: XRoadClientId;
  readonly service: XRoadServiceId;
  readonly requestId: string;
  /** X-Road-Request-Hash as carried (base64). */
  readonly requestHash: string;
  readonly bytes: Uint8Array;
}

/** What the provider service answered (its body streams separately). */
export interface ProviderResponse {
  readonly status: number;
  readonly reason?: string;
  readonly headers: HeaderList;
}

/**
 * Provider side: makes the REST response header part. The provider's headers pass through except
 * hop-by-hop/origin/framing headers and the X-Road response headers, which the Security Server
 * overwrites (PR-REST §4.3: the provider SHOULD NOT set them; X-Road-Request-Hash MUST be replaced);
 * then x-road-id, x-road-client, x-road-service, x-road-request-id and x-road-request-hash are added.
 */
export function buildRestResponsePart(
  response: ProviderResponse,
  request: RestRequestPart,
  requestHash: string,
): RestResponsePart {
  if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
    throw new XRoadFault(
      'Server.ServerProxy.InvalidResponse',
      `invalid HTTP status ${String(response.status)}`,
    );
  }
  const reason = response.reason ?? '';
  if (!isValidHeaderValue(reason))
    throw new XRoadFault('Server.ServerProxy.InvalidResponse', 'invalid reason phrase');
  const passed = filterHeaders(response.headers, X_ROAD_PROTOCOL_HEADERS);
  for (const [name, value] of passed) {
    if (!isValidHeaderName(name) || !isValidHeaderValue(value)) {
      throw new XRoadFault('Server.ServerProxy.InvalidResponse', 'malformed header in the service response');
    }
  }
  const headers: HeaderField[] = [
    ...passed,
    [H.id, request.messageId],
    [H.client, request.request.client.encode()],
    [H.service, request.request.service.encode()],
    [H.requestId, request.requestId],
    [H.requestHash, requestHash],
  ];
  const bytes = serialize(String(response.status), reason, headers);
  return {
    status: response.status,
    reason,
    headers,
    messageId: request.messageId,
    client: request.request.client,
    service: request.request.service,
    requestId: request.requestId,
    requestHash,
    bytes,
  };
}

/**
 * Consumer side: reads a REST response header part from the provider's Security Server. Faults are
 * `Server.ClientProxy.InvalidResponse`.
 */
export function parseRestResponsePart(bytes: Uint8Array): RestResponsePart {
  const [statusLine, reason, ...headerLines] = splitPart(bytes, 'response') as [string, string, ...string[]];
  if (!/^[1-5][0-9]{2}$/.test(statusLine)) throw badResponse('REST response part with an invalid status');
  const headers = parseHeaderLines(headerLines, badResponse);
  const need = (name: string): string => {
    const value = lastHeader(headers, name)?.trim();
    if (!value) throw badResponse(`REST response part without ${name}`);
    return value;
  };
  let client: XRoadClientId;
  let service: XRoadServiceId;
  try {
    client = XRoadClientId.parse(need(H.client), { policy: 'lenient' });
    service = XRoadServiceId.parse(need(H.service), { policy: 'lenient' });
  } catch (err) {
    if (err instanceof XRoadFault) throw err;
    throw badResponse('REST response part with an invalid identifier', err);
  }
  return {
    status: Number(statusLine),
    reason,
    headers,
    messageId: need(H.id),
    client,
    service,
    requestId: need(H.requestId),
    requestHash: need(H.requestHash),
    bytes,
  };
}

function serialize(first: string, second: string, headers: HeaderList): Uint8Array {
  let text = first + CRLF + second + CRLF;
  for (const [name, value] of headers) text += `${name}:${value}${CRLF}`;
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function splitPart(bytes: Uint8Array, what: 'request' | 'response'): string[] {
  const fail = what === 'request' ? invalid : badResponse;
  if (!(bytes instanceof Uint8Array)) throw fail(`REST ${what} part must be bytes`);
  if (bytes.byteLength > MAX_REST_PART_BYTES)
    throw fail(`REST ${what} part larger than ${MAX_REST_PART_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw fail(`REST ${what} part is not UTF-8`, cause);
  }
  const lines = text.split(CRLF);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2) throw fail(`REST ${what} part is truncated`);
  return lines;
}

// The headers the reference refuses in a part (its SKIPPED_HEADERS): framing, hop-by-hop and
// origin-revealing ones. Anything else a foreign Security Server sends is read, and whatever is hop-by-hop
// of it (Proxy-Connection) is filtered out again before the provider is called.
const NEVER_IN_PART = new Set(
  [...HOP_BY_HOP_HEADERS, ...ORIGIN_HEADERS, ...SPECIALLY_HANDLED_HEADERS].filter(
    (h) => h !== 'proxy-connection',
  ),
);

function parseHeaderLines(
  lines: ReadonlyArray<string>,
  fail: (m: string) => XRoadFault = invalid,
): HeaderList {
  return lines.map((line) => {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (!isValidHeaderName(name) || !isValidHeaderValue(value))
      throw fail('malformed header line in a REST part');
    if (NEVER_IN_PART.has(name.toLowerCase())) throw fail(`header ${name} is not allowed in a REST part`);
    return [name, value] as const;
  });
}

function checkHeaderValue(value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0 || !isValidHeaderValue(value)) {
    throw new XRoadFault('Server.ClientProxy.InternalError', `invalid ${what}`);
  }
}

function invalid(message: string, cause?: unknown): XRoadFault {
  return new XRoadFault(
    'Server.ServerProxy.InvalidMessage',
    message,
    cause === undefined ? undefined : { cause },
  );
}

function badResponse(message: string, cause?: unknown): XRoadFault {
  return new XRoadFault(
    'Server.ClientProxy.InvalidResponse',
    message,
    cause === undefined ? undefined : { cause },
  );
}
