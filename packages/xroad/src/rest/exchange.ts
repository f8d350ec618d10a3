import { XRoadFault } from '../errors/fault.js';
import { filterHeaders, type HeaderList } from './headers.js';
import type { RestRequestPart, RestResponsePart } from './message-part.js';
import { requestHashMatches } from './request-hash.js';
import type { HttpMethod } from './request.js';

/** The request the provider's Security Server makes to the provider service (its body streams apart). */
export interface ProviderRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: HeaderList;
}

/**
 * Provider side: where and how to call the provider service. PR-REST §4.1: the service identifier maps
 * to the service's registered URL; the service path is appended to it and the query passed unchanged
 * (§4.5), so `GET /r1/INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2/BARSERVICE/v1/bar/zyggy?quu=1` with service URL
 * `https://barservice.example.org/` becomes `GET https://barservice.example.org/v1/bar/zyggy?quu=1`.
 * The headers are the part's — the client's pass-through headers and the X-Road request headers — less
 * anything hop-by-hop a foreign Security Server may have left in its part.
 */
export function buildProviderRequest(part: RestRequestPart, serviceUrl: string): ProviderRequest {
  let base: URL;
  try {
    base = new URL(serviceUrl);
  } catch (cause) {
    throw new XRoadFault('Server.ServerProxy.ServiceMalformedUrl', 'the service URL is not a URL', { cause });
  }
  if (
    (base.protocol !== 'http:' && base.protocol !== 'https:') ||
    base.search ||
    base.hash ||
    base.username ||
    base.password
  ) {
    throw new XRoadFault(
      'Server.ServerProxy.ServiceMalformedUrl',
      'the service URL must be http(s) without query, fragment or credentials',
    );
  }
  const { servicePath, query } = part.request;
  // Joined as the reference does: one slash between a base ending in "/" and a path starting with "/".
  let url = serviceUrl;
  if (servicePath !== '')
    url = url.endsWith('/') && servicePath.startsWith('/') ? url + servicePath.slice(1) : url + servicePath;
  if (query !== null) url += `?${query}`;
  return { method: part.request.method, url, headers: filterHeaders(part.headers) };
}

/**
 * Consumer side: checks that a response part belongs to the request part it answers (the reference
 * client proxy's consistency checks): same client, message id, service and request id, and the
 * X-Road-Request-Hash equals the hash of what was sent (`expectedHash`, from `RequestHasher`).
 * PR-REST §4.3: the request hash MUST be verified by the service client's Security Server.
 */
export function checkRestResponse(
  request: RestRequestPart,
  response: RestResponsePart,
  expectedHash: Uint8Array,
): void {
  const fail = (what: string): never => {
    throw new XRoadFault(
      'Server.ClientProxy.InconsistentResponse',
      `response ${what} does not match the request`,
    );
  };
  if (!response.client.equals(request.request.client)) fail('client identifier');
  if (response.messageId !== request.messageId) fail('message id');
  if (!response.service.equals(request.request.service)) fail('service identifier');
  if (response.requestId !== request.requestId) fail('request id');
  if (!requestHashMatches(response.requestHash, expectedHash)) fail('request hash');
}

/**
 * Consumer side: the headers the information system receives — the response part's headers (the
 * provider's own plus the X-Road response headers), with anything hop-by-hop removed once more.
 */
export function consumerResponseHeaders(response: RestResponsePart): HeaderList {
  return filterHeaders(response.headers);
}
