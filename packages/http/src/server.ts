import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '@riik/core';
import type { Logger } from 'pino';
import { ServiceMetrics } from './metrics.js';
import { HttpProblem, sendProblem } from './problem.js';
import { sendJson, sendText } from './respond.js';
import { Router, type Route } from './router.js';

export interface HttpServiceOptions {
  /** Service name for logs and metrics ("ca", "tsa", …). */
  name: string;
  routes: Route[];
  log: Logger;
  /** Extra health detail; throwing or returning ok=false makes /healthz answer 503. */
  health?: () => Promise<{ ok: boolean; [k: string]: unknown }> | { ok: boolean; [k: string]: unknown };
  /** Abort a handler that has not answered in this time with 503 (default 30 s). */
  handlerTimeoutMs?: number;
  /** Whole-request receive limit (Node's requestTimeout; default 30 s). */
  requestTimeoutMs?: number;
  metrics?: ServiceMetrics;
}

export interface HttpService {
  readonly server: Server;
  readonly metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * A node:http server with routing, problem+json errors, handler timeouts, `/healthz` and
 * Prometheus `/metrics`. Deliberately thin: hot paths (OCSP, X-Road proxying) need raw access
 * to the request and response streams, which a framework would hide or buffer.
 */
export function createHttpService(options: HttpServiceOptions): HttpService {
  const metrics = options.metrics ?? new ServiceMetrics(options.name);
  const builtins: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      handler: async ({ res }) => {
        const detail = options.health ? await options.health() : { ok: true };
        sendJson(res, detail.ok ? 200 : 503, { service: options.name, ...detail });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async ({ res }) =>
        sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
  ];
  const router = new Router([...builtins, ...options.routes]);
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let routeName = 'unmatched';
    res.on('finish', () => {
      metrics.requests.inc({ route: routeName, method: req.method ?? '', status: res.statusCode });
      metrics.duration.observe({ route: routeName }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendProblem(res, new HttpProblem(400, 'BAD_URL', 'request URL cannot be parsed'));
      return;
    }
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match === undefined)
      return sendProblem(res, new HttpProblem(404, 'NOT_FOUND', `no resource at ${url.pathname}`));
    if (match === 'method') {
      return sendProblem(
        res,
        new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`),
      );
    }
    routeName = match.route.name ?? match.route.path;
    const timer = setTimeout(() => {
      options.log.warn({ route: routeName }, 'handler timed out');
      sendProblem(res, new HttpProblem(503, 'TIMEOUT', 'the service did not answer in time'));
    }, handlerTimeoutMs);
    try {
      await match.route.handler({ req, res, url, params: match.params, log: options.log });
    } catch (err) {
      if (err instanceof HttpProblem) sendProblem(res, err);
      else {
        options.log.error({ err: describeError(err), route: routeName }, 'unhandled error');
        sendProblem(res, new HttpProblem(500, 'INTERNAL', 'internal error'));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    server,
    metrics,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
