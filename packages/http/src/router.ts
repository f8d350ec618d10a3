import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Named segments of the matched pattern (`/certificates/:serial` → `{ serial }`), decoded. */
  readonly params: Record<string, string>;
  readonly log: Logger;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: string | string[];
  /** `/exact`, `/with/:param`, or `/prefix/*` (the rest is `params['*']`, not decoded). */
  path: string;
  handler: Handler;
  /** Label for metrics; defaults to `path`. */
  name?: string;
}

interface CompiledRoute {
  methods: Set<string>;
  segments: string[];
  wildcard: boolean;
  route: Route;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** A small first-match router over path segments; enough for riik's handful of routes per service. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((route) => {
      const segments = route.path.split('/').slice(1);
      const wildcard = segments.at(-1) === '*';
      return {
        methods: new Set([route.method].flat().map((m) => m.toUpperCase())),
        segments: wildcard ? segments.slice(0, -1) : segments,
        wildcard,
        route,
      };
    });
  }

  /** The matching route, or `'method'` when the path exists under another method, or undefined. */
  match(method: string, pathname: string): RouteMatch | 'method' | undefined {
    const parts = pathname.split('/').slice(1);
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchSegments(r, parts, pathname);
      if (!params) continue;
      if (!r.methods.has(method)) {
        pathMatched = true;
        continue;
      }
      return { route: r.route, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

function matchSegments(
  r: CompiledRoute,
  parts: string[],
  pathname: string,
): Record<string, string> | undefined {
  if (r.wildcard ? parts.length < r.segments.length : parts.length !== r.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.segments.length; i++) {
    const seg = r.segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) {
      if (part === '') return undefined;
      try {
        params[seg.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (seg !== part) return undefined;
  }
  if (r.wildcard) {
    const prefixLength = r.segments.reduce((n, s) => n + s.length + 1, 0);
    params['*'] = pathname.slice(prefixLength + 1);
  }
  return params;
}
