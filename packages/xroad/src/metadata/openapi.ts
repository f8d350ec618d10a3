import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { XRoadFault } from '../errors/fault.js';
import { XRoadIdError } from '../identifiers/errors.js';
import { checkPart, type IdentifierOptions } from '../identifiers/parts.js';
import { MetadataError } from './errors.js';

/*
 * getOpenAPI (PR-MREST §5): `GET /r1/{provider}/getOpenAPI?serviceCode=CODE` returns the OpenAPI 3
 * description of the provider's service CODE, as JSON or YAML.
 */

/**
 * The `serviceCode` query parameter of a getOpenAPI request. As the reference does, the parameter name
 * is compared case-insensitively and the last one wins; a missing or invalid code is
 * `Server.ServerProxy.InvalidRequest` (the provider's Security Server answers getOpenAPI).
 */
export function parseGetOpenApiQuery(query: string | null, options?: IdentifierOptions): string {
  let code: string | null = null;
  for (const [name, value] of new URLSearchParams(query ?? '')) {
    if (name.toLowerCase() === 'servicecode') code = value;
  }
  if (!code) throw new XRoadFault('Server.ServerProxy.InvalidRequest', 'missing serviceCode query parameter');
  try {
    return checkPart(code, 'serviceCode', options);
  } catch (err) {
    if (err instanceof XRoadIdError) {
      throw new XRoadFault('Server.ServerProxy.InvalidRequest', `invalid serviceCode: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
}

export type OpenApiFormat = 'json' | 'yaml';

/**
 * Whether a service description is JSON or YAML, decided as the reference does: by the Content-Type it
 * was served with, else by the URL's extension, else YAML (which also reads JSON).
 */
export function openApiFormat(contentType: string | null | undefined, url: string): OpenApiFormat {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/json')) return 'json';
  if (/^(application|text)\/(x-)?yaml\b/.test(type)) return 'yaml';
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not absolute: use as given
  }
  return path.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

/** Largest service description riik rewrites. */
export const MAX_OPENAPI_LENGTH = 8 * 1024 * 1024;

/**
 * Hides the provider's addresses in a service description before it leaves the provider's Security
 * Server, as the reference does (and as PR-META §4 does for WSDL endpoints): every absolute
 * `servers[].url` without `{variables}` is replaced by its path. Only OpenAPI 3 is accepted.
 */
export function anonymiseOpenApi(text: string, format: OpenApiFormat): string {
  if (typeof text !== 'string') throw new MetadataError('MALFORMED', 'text required');
  if (text.length > MAX_OPENAPI_LENGTH) throw new MetadataError('TOO_LARGE', 'service description too large');
  return format === 'json' ? anonymiseJson(text) : anonymiseYaml(text);
}

function serverPath(url: string): string {
  if (url.includes('{') && url.includes('}')) return url;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return url; // relative: reveals no host
  try {
    return new URL(url).pathname;
  } catch {
    throw new MetadataError('MALFORMED', `servers url is not a URL: ${url.slice(0, 200)}`);
  }
}

function checkVersion(version: unknown): void {
  if (version !== undefined && !(typeof version === 'string' && version.startsWith('3.'))) {
    throw new MetadataError('UNSUPPORTED_VERSION', 'OpenAPI 3 is required');
  }
}

function anonymiseJson(text: string): string {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch (cause) {
    throw new MetadataError('MALFORMED', 'service description is not JSON', { cause });
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree))
    throw new MetadataError('MALFORMED', 'not an OpenAPI object');
  const doc = tree as { openapi?: unknown; servers?: unknown };
  checkVersion(doc.openapi);
  if (Array.isArray(doc.servers)) {
    for (const server of doc.servers as unknown[]) {
      if (
        typeof server === 'object' &&
        server !== null &&
        typeof (server as { url?: unknown }).url === 'string'
      ) {
        const s = server as { url: string };
        s.url = serverPath(s.url);
      }
    }
  }
  return JSON.stringify(tree);
}

function anonymiseYaml(text: string): string {
  // Aliases are resolved one node at a time and never expanded into a tree, so "billion laughs"
  // documents cost no more than their text.
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new MetadataError('MALFORMED', `service description is not YAML: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new MetadataError('MALFORMED', 'not an OpenAPI object');
  const version = deref(doc, doc.contents.get('openapi', true));
  checkVersion(isScalar(version) ? version.value : version);
  const servers = deref(doc, doc.contents.get('servers', true));
  if (isSeq(servers)) {
    for (const item of servers.items) {
      const server = deref(doc, item);
      if (!isMap(server)) continue;
      const url = deref(doc, server.get('url', true));
      if (isScalar(url) && typeof url.value === 'string') url.value = serverPath(url.value);
    }
  }
  return doc.toString();
}

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}
