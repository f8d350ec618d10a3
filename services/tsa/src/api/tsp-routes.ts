import { HttpProblem, readBody, sendBytes, type Route } from '@riik/http';
import { MAX_TIMESTAMP_REQUEST, timeStampRejection } from '@riik/pki';
import type { Counter } from 'prom-client';
import type { TsaService } from '../service.js';

/** RFC 3161 §3.4: time-stamp protocol over HTTP. */
export function tspRoutes(service: TsaService, tokens: Counter<'status'>): Route[] {
  const reply = (res: Parameters<Route['handler']>[0]['res'], body: Uint8Array) =>
    sendBytes(res, 200, 'application/timestamp-reply', body, { 'cache-control': 'no-store' });
  return [
    {
      method: 'POST',
      path: '/tsa',
      name: 'tsa',
      handler: async ({ req, res }) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/timestamp-query') {
          req.resume();
          tokens.inc({ status: 'rejection' });
          return reply(
            res,
            timeStampRejection('badRequest', 'expected Content-Type: application/timestamp-query'),
          );
        }
        const body = await readBody(req, MAX_TIMESTAMP_REQUEST);
        const outcome = await service.tsa.respond(body);
        tokens.inc({ status: outcome.status });
        reply(res, outcome.response);
      },
    },
    {
      method: 'GET',
      path: '/tsa/certificate.pem',
      handler: ({ res }) => {
        const pem = [service.identity.certificate, ...service.identity.chain].map((c) => c.toPem()).join('');
        sendBytes(res, 200, 'application/x-pem-file', Buffer.from(pem));
      },
    },
    {
      method: 'GET',
      path: '/tsa/root.pem',
      handler: ({ res }) => {
        if (!service.identity.root) throw new HttpProblem(404, 'NOT_FOUND', 'no root certificate configured');
        sendBytes(res, 200, 'application/x-pem-file', Buffer.from(service.identity.root.toPem()));
      },
    },
  ];
}
