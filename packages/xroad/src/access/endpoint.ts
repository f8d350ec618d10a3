import { XRoadFault } from '../errors/fault.js';

/*
 * REST endpoints as X-Road's access rights name them: a method (or `*`) and a path glob matched against
 * the service path (the part of the request path after the service code). In a path glob `*` matches
 * zero or more characters within a segment (anything but `/`) and `**` matches anything; `\*` is a
 * literal star. The service-level endpoint is `* **`: it matches every request of the service. OpenAPI
 * path templates (`/persons/{idCode}`) become globs by turning each `{parameter}` into `*`.
 */

export const ANY_METHOD = '*';
export const ANY_PATH = '**';

export interface EndpointPattern {
  readonly method: string;
  readonly path: string;
}

const cache = new Map<string, RegExp>();

/** Compile a path glob into an anchored regular expression (cached). */
export function compilePathGlob(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '\\' && (glob[i + 1] === '*' || glob[i + 1] === '\\')) {
      out += `\\${glob[++i]!}`;
    } else if (ch === '*') {
      if (glob[i + 1] === '*') {
        while (glob[i + 1] === '*') i++;
        out += '.*';
      } else out += '[^/]*';
    } else out += ch.replace(/[.^$+?{}[\]|()\\/]/g, '\\$&');
  }
  re = new RegExp(`${out}$`, 's');
  if (cache.size > 1000) cache.clear();
  cache.set(glob, re);
  return re;
}

/** Whether an endpoint matches a request (method compared case-insensitively, as X-Road does). */
export function endpointMatches(endpoint: EndpointPattern, method: string, servicePath: string): boolean {
  const methodOk = endpoint.method === ANY_METHOD || endpoint.method.toUpperCase() === method.toUpperCase();
  if (!methodOk) return false;
  return endpoint.path === ANY_PATH || compilePathGlob(endpoint.path).test(servicePath);
}

/**
 * The service path an access decision is made on: percent-decoded (so `/a%2Fb` is `/a/b`, as the
 * reference's URI normalisation has it) and `/` when empty. Dot segments were already refused when the
 * request was parsed.
 */
export function accessPath(servicePath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(servicePath);
  } catch (cause) {
    throw new XRoadFault('Client.BadRequest', 'malformed percent-encoding in the service path', { cause });
  }
  return decoded === '' ? '/' : decoded;
}

/** An OpenAPI 3 path template as an endpoint glob: `{param}` → `*`. */
export function openApiPathToGlob(template: string): string {
  return template.replace(/\*/g, '\\*').replace(/\{[^}/]*\}/g, '*');
}

/** True when `method` is acceptable in an endpoint definition. */
export function isEndpointMethod(method: string): boolean {
  return method === ANY_METHOD || /^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|TRACE)$/.test(method);
}
