import { lastHeader, XRoadHeader, type HeaderList } from '../rest/headers.js';

/** The component an X-Road fault type points at (PR-REST §4.6, "Tracking the source of error"). */
export type XRoadErrorComponent =
  /** `Client.*`: the consumer information system sent a request that does not follow the protocol. */
  | 'consumer-information-system'
  /** `Server.ClientProxy.*`: the consumer's Security Server failed. */
  | 'consumer-security-server'
  /** `Server.ServerProxy.*`: the provider's Security Server failed or got no answer from the service. */
  | 'provider-security-server'
  /** A type without one of the three prefixes. */
  | 'unknown';

// Prefixes are compared case-insensitively so that the lower-case codes of X-Road's development branch
// (`server.serverproxy.access_denied`) are classified the same way.
function hasPrefix(type: string, prefix: string): boolean {
  return (
    type.length > prefix.length &&
    type.slice(0, prefix.length + 1).toLowerCase() === `${prefix.toLowerCase()}.`
  );
}

export function errorComponent(type: string): XRoadErrorComponent {
  if (hasPrefix(type, 'Client')) return 'consumer-information-system';
  if (hasPrefix(type, 'Server.ClientProxy')) return 'consumer-security-server';
  if (hasPrefix(type, 'Server.ServerProxy')) return 'provider-security-server';
  return 'unknown';
}

/**
 * The HTTP status of an X-Road fault: 500 when the type starts with `Server.`, otherwise 400 — the rule
 * the reference client proxy applies (PR-REST §4.6: category 3 → 400, categories 2 and 4 → 500).
 */
export function faultStatus(type: string): 400 | 500 {
  return hasPrefix(type, 'Server') ? 500 : 400;
}

/**
 * Codes that mean the provider's Security Server could not get an answer from the provider service
 * (PR-REST §4.6 category 2, e.g. `Server.ServerProxy.NetworkError`, `Server.ServerProxy.ServiceFailed`)
 * rather than failing itself (category 4, e.g. `Server.ServerProxy.DatabaseError`).
 */
const PROVIDER_SERVICE_FAILURES = new Set([
  'networkerror',
  'servicefailed',
  'httperror',
  'network_error',
  'service_failed',
  'http_error',
]);

/** How a response to the consumer information system is to be read (PR-REST §4.6). */
export interface ResponseClassification {
  /** Whose response it is: the provider information system's (passed through as-is) or X-Road's. */
  readonly source: 'provider-information-system' | 'x-road';
  /** The X-Road-Error header, or null. */
  readonly xRoadError: string | null;
  /** The fault type: the body's `type` when given, else the header; null for provider responses. */
  readonly type: string | null;
  /** The component the fault type points at; null for provider responses. */
  readonly component: XRoadErrorComponent | null;
  /**
   * PR-REST §4.6 error category: 1 provider service error, 2 provider service unreachable, 3 bad
   * client request, 4 Security Server failure; null when the provider answered without an error status.
   */
  readonly category: 1 | 2 | 3 | 4 | null;
  /** True when status, headers and body are the provider's own, passed through by X-Road. */
  readonly passedThrough: boolean;
}

/**
 * Classifies a response as PR-REST §4.6 says: without `X-Road-Error` it comes from the provider
 * information system; with it, from X-Road, and the type prefix names the failing component.
 */
export function classifyResponse(
  status: number,
  headers: HeaderList,
  body?: { readonly type?: string } | null,
): ResponseClassification {
  const xRoadError = lastHeader(headers, XRoadHeader.Error)?.trim() || null;
  if (xRoadError === null) {
    return {
      source: 'provider-information-system',
      xRoadError: null,
      type: null,
      component: null,
      category: status >= 400 ? 1 : null,
      passedThrough: true,
    };
  }
  const type = typeof body?.type === 'string' && body.type.length > 0 ? body.type : xRoadError;
  const component = errorComponent(type);
  let category: 2 | 3 | 4;
  if (component === 'consumer-information-system') category = 3;
  else if (component === 'provider-security-server' && PROVIDER_SERVICE_FAILURES.has(codeWord(type)))
    category = 2;
  else category = 4;
  return { source: 'x-road', xRoadError, type, component, category, passedThrough: false };
}

/** The first code word after the component prefix: `ServiceFailed` of `Server.ServerProxy.ServiceFailed.X`. */
function codeWord(type: string): string {
  const parts = type.split('.');
  const start = parts[0]?.toLowerCase() === 'client' ? 1 : 2;
  return (parts[start] ?? '').toLowerCase();
}
