/**
 * HTTP header handling of the X-Road Message Protocol for REST (PR-REST §4.3).
 *
 * Headers travel as an ordered list of `[name, value]` pairs, never as a map: the protocol depends on
 * order and repetition ("if multiple X-Road-Client headers are present ... use the last"), and a map or
 * fetch's `Headers` (which joins repeats with ", ") would lose both.
 */

export type HeaderField = readonly [name: string, value: string];
export type HeaderList = ReadonlyArray<HeaderField>;

/** The X-Road protocol headers, spelled as PR-REST writes them (names compare case-insensitively). */
export const XRoadHeader = {
  /** Request, mandatory: the service client. Response: echoed by the provider's Security Server. */
  Client: 'X-Road-Client',
  /** Response: the service that was called. */
  Service: 'X-Road-Service',
  /** Request (optional, generated when absent) and response: the message id. */
  Id: 'X-Road-Id',
  /** Request: the user whose action caused the request, e.g. `EE12345678901`. */
  UserId: 'X-Road-UserId',
  /** Request: the case, application or document the request is made for. */
  Issue: 'X-Road-Issue',
  /** Request: send the request to this Security Server of the provider. */
  SecurityServer: 'X-Road-Security-Server',
  /** Request: the third party the client acts for (`[CLASS/]CODE`). */
  RepresentedParty: 'X-Road-Represented-Party',
  /** Response: unique id of this request/response pair, set by the consumer's Security Server. */
  RequestId: 'X-Road-Request-Id',
  /** Response: base64 SHA-512 hash of the request, set by the provider's Security Server. */
  RequestHash: 'X-Road-Request-Hash',
  /** Response: the fault type, present only when X-Road itself failed. */
  Error: 'X-Road-Error',
} as const;

export type XRoadHeaderName = (typeof XRoadHeader)[keyof typeof XRoadHeader];

/** Hop-by-hop headers (PR-REST §4.3 "Filtered headers"; RFC 9110 §7.6.1). `Proxy-Connection` is the
 * non-standard one old clients still send. */
export const HOP_BY_HOP_HEADERS: ReadonlyArray<string> = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** Headers that could leak the name or address of the origin host (PR-REST §4.3 "Filtered headers"). */
export const ORIGIN_HEADERS: ReadonlyArray<string> = ['host', 'user-agent', 'server'];

/**
 * Headers the Security Server handles itself (PR-REST §4.3 "Specially handled headers"): it may answer
 * `Expect: 100-continue` locally and re-frames bodies, so Content-Length is recomputed, not copied.
 */
export const SPECIALLY_HANDLED_HEADERS: ReadonlyArray<string> = ['expect', 'content-length'];

const ALWAYS_DROPPED = new Set([...HOP_BY_HOP_HEADERS, ...ORIGIN_HEADERS, ...SPECIALLY_HANDLED_HEADERS]);

/** RFC 9110 token: what a header name may consist of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values may not contain CR, LF or NUL (RFC 9110 §5.5); other controls are tolerated as Node does. */
const BAD_VALUE = /[\r\n\0]/;

export function isValidHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

export function isValidHeaderValue(value: string): boolean {
  return !BAD_VALUE.test(value);
}

/** Turns Node's `IncomingMessage.rawHeaders` (`[name, value, name, value, ...]`) into a header list. */
export function headerListFromRaw(raw: ReadonlyArray<string>): HeaderList {
  const list: HeaderField[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
  return list;
}

/** The value of the last header called `name` (case-insensitive), or `undefined`. */
export function lastHeader(headers: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--) {
    const [n, v] = headers[i]!;
    if (n.toLowerCase() === wanted) return v;
  }
  return undefined;
}

/** Every value of headers called `name` (case-insensitive), in order. */
export function allHeaders(headers: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

/** The names a `Connection` header nominates as hop-by-hop (RFC 9110 §7.6.1), lower-cased. */
export function connectionOptions(headers: HeaderList): Set<string> {
  const names = new Set<string>();
  for (const value of allHeaders(headers, 'connection')) {
    for (const option of value.split(',')) {
      const name = option.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * What a Security Server passes on of `headers`: everything except hop-by-hop headers (including those a
 * `Connection` header nominates), headers that reveal the origin host, Expect and Content-Length, and
 * the extra names in `drop`. User-defined, cache, content and unknown X-Road-* extension headers pass
 * through unmodified and in order (PR-REST §4.3).
 */
export function filterHeaders(headers: HeaderList, drop: Iterable<string> = []): HeaderList {
  const dropped = connectionOptions(headers);
  for (const name of drop) dropped.add(name.toLowerCase());
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !ALWAYS_DROPPED.has(lower) && !dropped.has(lower);
  });
}
