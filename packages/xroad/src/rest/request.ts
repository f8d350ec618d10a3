import { XRoadFault } from '../errors/fault.js';
import type { XRoadFaultType } from '../errors/codes.js';
import { XRoadIdError } from '../identifiers/errors.js';
import type { IdentifierOptions } from '../identifiers/parts.js';
import { XRoadClientId } from '../identifiers/client-id.js';
import { XRoadServiceId } from '../identifiers/service-id.js';
import { SecurityServerId } from '../identifiers/security-server-id.js';
import { decodeIdentifierPart } from '../identifiers/encoding.js';
import {
  filterHeaders,
  isValidHeaderName,
  isValidHeaderValue,
  lastHeader,
  XRoadHeader,
  type HeaderList,
} from './headers.js';
import { parseRepresentedParty, type RepresentedParty } from './header-values.js';

/** The request methods the reference Security Server accepts (its `RestRequest.Verb`). */
export const HTTP_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The one protocol version of PR-REST (§2.3): `r` plus the major version. */
export const PROTOCOL_VERSION = 'r1';

/** REST metaservices a provider's Security Server answers itself (PR-MREST §4, §5). */
export const REST_METASERVICES = ['listMethods', 'allowedMethods', 'getOpenAPI'] as const;
export type RestMetaservice = (typeof REST_METASERVICES)[number];

export interface RestRequestLimits {
  /** Longest request target (path + query) accepted; PR-REST §4.2 asks for a limit. Default 8192. */
  readonly maxTargetLength?: number;
  /** Most header fields accepted. Default 256. */
  readonly maxHeaderCount?: number;
  /** Most header bytes (names + values) accepted. Default 64 KiB. */
  readonly maxHeaderBytes?: number;
}

export interface ParseRestRequestOptions extends IdentifierOptions, RestRequestLimits {}

export const DEFAULT_REST_REQUEST_LIMITS: Required<RestRequestLimits> = {
  maxTargetLength: 8192,
  maxHeaderCount: 256,
  maxHeaderBytes: 64 * 1024,
};

/** Opaque X-Road header values (X-Road-Id, X-Road-UserId, X-Road-Issue) are accepted up to this length. */
export const MAX_OPAQUE_HEADER_LENGTH = 1024;

/** A client's X-Road REST request, parsed and checked (PR-REST §4.1, §4.3). */
export interface RestRequest {
  readonly method: HttpMethod;
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  /** The request path as received, still percent-encoded. */
  readonly path: string;
  /** The called service, from the five identifier segments of the path. */
  readonly service: XRoadServiceId;
  /** The rest of the path after the service code, raw: `''` or starting with `/`. Forwarded unchanged. */
  readonly servicePath: string;
  /** The query as received (without `?`), or null when the target had none. Forwarded unchanged. */
  readonly query: string | null;
  /** X-Road-Client (the last one when repeated). */
  readonly client: XRoadClientId;
  /** X-Road-Id, or null when the client sent none (the consumer's Security Server then makes one). */
  readonly messageId: string | null;
  readonly userId: string | null;
  readonly issue: string | null;
  readonly securityServer: SecurityServerId | null;
  readonly representedParty: RepresentedParty | null;
  /** Set when the service code names a REST metaservice called with GET. */
  readonly metaservice: RestMetaservice | null;
  /**
   * The headers to pass on to the provider: the client's headers minus hop-by-hop, origin-revealing,
   * Expect, Content-Length and every X-Road protocol header (the Security Server writes those itself).
   */
  readonly headers: HeaderList;
}

/** All X-Road protocol header names, lower-cased: removed from pass-through lists and re-written. */
export const X_ROAD_PROTOCOL_HEADERS: ReadonlyArray<string> = Object.values(XRoadHeader).map((h) =>
  h.toLowerCase(),
);

function fault(type: XRoadFaultType, message: string, cause?: unknown): XRoadFault {
  return new XRoadFault(type, message, cause === undefined ? undefined : { cause });
}

/**
 * Parses what an information system sends to its Security Server's client proxy (PR-REST §4.1):
 * `{METHOD} /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICECODE}[/path][?query]` with the
 * mandatory X-Road-Client header. Throws an `XRoadFault` (`Client.*`) for anything malformed.
 *
 * `target` is the raw request-target (Node's `req.url`), `headers` the raw header list in order.
 */
export function parseRestRequest(
  method: string,
  target: string,
  headers: HeaderList,
  options?: ParseRestRequestOptions,
): RestRequest {
  if (!(HTTP_METHODS as ReadonlyArray<string>).includes(method)) {
    throw fault(
      'Client.InvalidHttpMethod',
      `unsupported HTTP method ${JSON.stringify(String(method).slice(0, 32))}`,
    );
  }
  const parsedTarget = parseRequestTarget(target, options);
  checkHeaderList(headers, options);

  const clientHeader = lastHeader(headers, XRoadHeader.Client);
  if (clientHeader === undefined || clientHeader.trim() === '') {
    throw fault('Client.InvalidClientIdentifier', 'the X-Road-Client header is missing');
  }
  const client = identifier(
    () => XRoadClientId.parse(clientHeader.trim(), options),
    'Client.InvalidClientIdentifier',
    'X-Road-Client',
  );

  const securityServerHeader = nonEmpty(lastHeader(headers, XRoadHeader.SecurityServer));
  const representedPartyHeader = nonEmpty(lastHeader(headers, XRoadHeader.RepresentedParty));
  const service = parsedTarget.service;
  return {
    method: method as HttpMethod,
    protocolVersion: PROTOCOL_VERSION,
    path: parsedTarget.path,
    service,
    servicePath: parsedTarget.servicePath,
    query: parsedTarget.query,
    client,
    messageId: opaque(headers, XRoadHeader.Id),
    userId: opaque(headers, XRoadHeader.UserId),
    issue: opaque(headers, XRoadHeader.Issue),
    securityServer:
      securityServerHeader === null
        ? null
        : identifier(
            () => SecurityServerId.parse(securityServerHeader, options),
            'Client.InvalidSecurityServer',
            'X-Road-Security-Server',
          ),
    representedParty:
      representedPartyHeader === null
        ? null
        : identifier(
            () => parseRepresentedParty(representedPartyHeader, options),
            'Client.BadRequest',
            'X-Road-Represented-Party',
          ),
    metaservice:
      method === 'GET' && (REST_METASERVICES as ReadonlyArray<string>).includes(service.serviceCode)
        ? (service.serviceCode as RestMetaservice)
        : null,
    headers: filterHeaders(headers, X_ROAD_PROTOCOL_HEADERS),
  };
}

interface RequestTarget {
  readonly path: string;
  readonly query: string | null;
  readonly service: XRoadServiceId;
  readonly servicePath: string;
}

// Visible ASCII only: a request-target has no spaces, controls or raw non-ASCII (RFC 9112 §3.2), and a
// fragment is never sent.
const TARGET_CHARS = /^[\x21-\x7e]*$/;
const PERCENT_ESCAPES = /^(?:[^%]|%[0-9A-Fa-f]{2})*$/;

/**
 * Splits and checks the request-target. PR-REST §4.2: the `/` between the identifier parts is never
 * encoded, each part is percent-decoded on its own, and URIs must be strictly validated (HPP, SSRF).
 */
export function parseRequestTarget(
  target: string,
  options?: RestRequestLimits & IdentifierOptions,
): RequestTarget {
  const maxLength = options?.maxTargetLength ?? DEFAULT_REST_REQUEST_LIMITS.maxTargetLength;
  if (typeof target !== 'string' || target.length === 0)
    throw fault('Client.BadRequest', 'empty request target');
  if (target.length > maxLength)
    throw fault('Client.BadRequest', `request target longer than ${maxLength} characters`);
  if (!TARGET_CHARS.test(target) || target.includes('#')) {
    throw fault('Client.BadRequest', 'request target contains characters that must be percent-encoded');
  }
  if (!target.startsWith('/'))
    throw fault('Client.BadRequest', 'request target must be an absolute path (origin-form)');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? null : target.slice(q + 1);
  if (!PERCENT_ESCAPES.test(path) || (query !== null && !PERCENT_ESCAPES.test(query))) {
    throw fault('Client.BadRequest', 'malformed percent-encoding in the request target');
  }
  if (path.includes('\\')) throw fault('Client.BadRequest', 'backslash in the request path');

  // ['', 'r1', INSTANCE, CLASS, MEMBER, SUBSYSTEM, SERVICECODE, rest of the path]
  const parts = path.split('/', 7);
  const version = parts[1] ?? '';
  if (/^r[0-9]+$/.test(version) && version !== PROTOCOL_VERSION) {
    throw fault(
      'Client.InvalidProtocolVersion',
      `unsupported protocol version ${version}; only ${PROTOCOL_VERSION} exists`,
    );
  }
  if (version !== PROTOCOL_VERSION)
    throw fault('Client.BadRequest', `not an X-Road ${PROTOCOL_VERSION} request path`);
  if (parts.length < 7) {
    // PR-REST §4.1 calls the subsystem OPTIONAL, but without it `/SERVICE/path` cannot be told from
    // `/SUBSYSTEM/SERVICE`; like the reference Security Server riik requires all five parts.
    throw fault(
      'Client.BadRequest',
      'the service identifier must have five parts: INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE',
    );
  }
  const prefixLength = parts.reduce((n, p) => n + p.length + 1, 0) - 1;
  const servicePath = path.slice(prefixLength);
  checkServicePath(servicePath);
  const service = identifier(
    () =>
      XRoadServiceId.of(
        {
          instance: decodeIdentifierPart(parts[2]!),
          memberClass: decodeIdentifierPart(parts[3]!),
          memberCode: decodeIdentifierPart(parts[4]!),
          subsystemCode: decodeIdentifierPart(parts[5]!),
          serviceCode: decodeIdentifierPart(parts[6]!),
        },
        options,
      ),
    'Client.BadRequest',
    'service identifier',
  );
  return { path, query, service, servicePath };
}

/**
 * Refuses dot segments in the service path, in every spelling a URL parser or Java servlet container
 * would still resolve (`..`, `%2e%2e`, `.%2E`, `..;x`): appended to the service URL they could climb out
 * of the registered base path (SSRF, PR-REST §4.2).
 */
function checkServicePath(servicePath: string): void {
  for (const segment of servicePath.split('/')) {
    const bare = segment.replace(/%2e/gi, '.').split(';')[0];
    if (bare === '.' || bare === '..') throw fault('Client.BadRequest', 'dot segment in the service path');
  }
}

function checkHeaderList(headers: HeaderList, options: RestRequestLimits | undefined): void {
  const maxCount = options?.maxHeaderCount ?? DEFAULT_REST_REQUEST_LIMITS.maxHeaderCount;
  const maxBytes = options?.maxHeaderBytes ?? DEFAULT_REST_REQUEST_LIMITS.maxHeaderBytes;
  if (!Array.isArray(headers)) throw fault('Client.BadRequest', 'headers must be a list');
  if (headers.length > maxCount) throw fault('Client.BadRequest', `more than ${maxCount} header fields`);
  let bytes = 0;
  for (const field of headers) {
    const [name, value] = Array.isArray(field) ? (field as unknown[]) : [];
    if (
      typeof name !== 'string' ||
      typeof value !== 'string' ||
      !isValidHeaderName(name) ||
      !isValidHeaderValue(value)
    ) {
      throw fault('Client.BadRequest', 'malformed header field');
    }
    bytes += name.length + value.length;
    if (bytes > maxBytes) throw fault('Client.BadRequest', `header fields larger than ${maxBytes} bytes`);
  }
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function opaque(headers: HeaderList, name: string): string | null {
  const value = nonEmpty(lastHeader(headers, name));
  if (value !== null && value.length > MAX_OPAQUE_HEADER_LENGTH) {
    throw fault('Client.BadRequest', `${name} is longer than ${MAX_OPAQUE_HEADER_LENGTH} characters`);
  }
  return value;
}

function identifier<T>(read: () => T, type: XRoadFaultType, what: string): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof XRoadIdError) throw fault(type, `invalid ${what}: ${err.message}`, err);
    throw err;
  }
}
