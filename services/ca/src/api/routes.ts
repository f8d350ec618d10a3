import { z } from 'zod';
import { fromBase64 } from '@riik/core';
import { HttpProblem, readBody, readJson, requireBearer, sendBytes, sendJson, type Route } from '@riik/http';
import { isRevocationReason, PkiError, type RevocationReason } from '@riik/pki';
import { IdCodeError } from '@riik/core';
import type { CaService } from '../ca-service.js';
import type { CertificateRecord } from '../db/store.js';
import { CaError } from '../errors.js';
import { describeCertificate, issueRequestSchema } from '../issuance.js';
import { ISSUERS, type IssuerId } from '../layout.js';

const OCSP_REQUEST_LIMIT = 8 * 1024;
const API_BODY_LIMIT = 64 * 1024;

/** Map domain errors to problem+json; anything else is left for the 500 handler. */
function toProblem(err: unknown): never {
  if (err instanceof CaError) {
    const status = err.code === 'NOT_FOUND' ? 404 : 409;
    throw new HttpProblem(status, err.code, err.message, { cause: err });
  }
  if (err instanceof PkiError || err instanceof IdCodeError)
    throw new HttpProblem(422, err.code, err.message, { cause: err });
  throw err;
}

const serialParam = (serial: string | undefined) => {
  if (!serial || !/^[0-9a-f]{2,40}$/.test(serial))
    throw new HttpProblem(400, 'BAD_SERIAL', 'serial must be lowercase hex');
  return serial;
};

const revokeSchema = z
  .object({ reason: z.string().refine(isRevocationReason, 'not an RFC 5280 CRLReason') })
  .strict();

export function caRoutes(ca: CaService): Route[] {
  const issuerCert = (id: string) =>
    id === 'root' ? ca.hierarchy.root : ca.hierarchy.issuers.get(id as IssuerId)?.authority.certificate;
  const auth = (req: Parameters<typeof requireBearer>[0]) => requireBearer(req, ca.hierarchy.operatorToken);

  return [
    // --- OCSP (RFC 6960 Appendix A) -------------------------------------------------------
    {
      method: 'POST',
      path: '/ocsp',
      name: 'ocsp',
      handler: async ({ req, res }) => {
        const body = await readBody(req, OCSP_REQUEST_LIMIT);
        sendBytes(res, 200, 'application/ocsp-response', await ca.ocsp.respond(body));
      },
    },
    {
      method: 'GET',
      path: '/ocsp/*',
      name: 'ocsp',
      handler: async ({ res, params }) => {
        let der: Uint8Array;
        try {
          der = fromBase64(decodeURIComponent(params['*'] ?? ''));
        } catch {
          der = new Uint8Array();
        }
        const response = await ca.ocsp.respond(der);
        // RFC 5019 §6: GET responses may be cached by HTTP caches until they go stale.
        sendBytes(res, 200, 'application/ocsp-response', response, {
          'cache-control': 'max-age=300, public, no-transform, must-revalidate',
        });
      },
    },
    // --- CRLs and CA certificates (AIA caIssuers) ----------------------------------------
    {
      method: 'GET',
      path: '/crl/:file',
      handler: ({ res, params }) => {
        const id = params.file?.replace(/\.crl$/, '') as IssuerId;
        const crl = ISSUERS.includes(id) ? ca.crls.get(id) : undefined;
        if (!crl) throw new HttpProblem(404, 'NOT_FOUND', 'no such CRL');
        sendBytes(res, 200, 'application/pkix-crl', crl);
      },
    },
    {
      method: 'GET',
      path: '/certs/:file',
      handler: ({ res, params }) => {
        const cert = issuerCert(params.file?.replace(/\.(crt|pem)$/, '') ?? '');
        if (!cert) throw new HttpProblem(404, 'NOT_FOUND', 'no such CA certificate');
        if (params.file?.endsWith('.pem'))
          sendBytes(res, 200, 'application/x-pem-file', Buffer.from(cert.toPem()));
        else sendBytes(res, 200, 'application/pkix-cert', cert.der);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/ca',
      handler: ({ res }) =>
        sendJson(res, 200, {
          instance: ca.hierarchy.config.instance,
          root: ca.hierarchy.root.toPem(),
          issuers: [...ca.hierarchy.issuers.values()].map((i) => ({
            id: i.id,
            certificate: i.authority.certificate.toPem(),
            ocspResponder: i.responder.certificate.toPem(),
            urls: i.authority.urls,
          })),
        }),
    },
    // --- operator API (bearer token) -------------------------------------------------------
    {
      method: 'POST',
      path: '/api/v1/certificates',
      handler: async ({ req, res }) => {
        auth(req);
        const request = await readJson(req, API_BODY_LIMIT, (v) => issueRequestSchema.parse(v));
        const { certificate, issuer } = await ca.issue(request).catch(toProblem);
        sendJson(res, 201, describeCertificate(certificate, issuer, request.profile));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/certificates',
      handler: async ({ req, res, url }) => {
        auth(req);
        const idCode = url.searchParams.get('idCode');
        if (!idCode || !/^\d{11}$/.test(idCode))
          throw new HttpProblem(400, 'BAD_QUERY', 'idCode query parameter (11 digits) is required');
        const records = await ca.store.findByIdCode(idCode);
        sendJson(res, 200, { certificates: records.map(recordJson) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/certificates/:serial',
      handler: async ({ req, res, params }) => {
        auth(req);
        const record = await ca.store.get(serialParam(params.serial));
        if (!record) throw new HttpProblem(404, 'NOT_FOUND', 'no certificate with this serial');
        sendJson(res, 200, recordJson(record));
      },
    },
    ...(['suspend', 'resume', 'revoke'] as const).map((action): Route => ({
      method: 'POST',
      path: `/api/v1/certificates/:serial/${action}`,
      handler: async ({ req, res, params }) => {
        auth(req);
        const serial = serialParam(params.serial);
        let reason: RevocationReason = 'unspecified';
        if (action === 'revoke') {
          const body = await readJson(req, API_BODY_LIMIT, (v) => revokeSchema.parse(v));
          reason = body.reason;
          if (reason === 'certificateHold' || reason === 'removeFromCRL') {
            throw new HttpProblem(400, 'BAD_REASON', 'use suspend / resume for certificateHold');
          }
        }
        const record = await (
          action === 'suspend'
            ? ca.suspend(serial)
            : action === 'resume'
              ? ca.resume(serial)
              : ca.revoke(serial, reason)
        ).catch(toProblem);
        sendJson(res, 200, recordJson(record));
      },
    })),
  ];
}

function recordJson(r: CertificateRecord) {
  return {
    serial: r.serial,
    issuer: r.issuer,
    profile: r.profile,
    subject: r.subject,
    idCode: r.idCode,
    notBefore: r.notBefore.toISOString(),
    notAfter: r.notAfter.toISOString(),
    status: r.state === 'hold' ? 'suspended' : r.state,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    reason: r.reason,
  };
}
