import {
  deviceAnswer,
  deviceRegistration,
  mobileIdAuthenticationRequest,
  smartIdAuthenticationRequest,
  type DeviceKind,
} from '@riik/authn';
import { HttpProblem, readJson, sendJson, type Route } from '@riik/http';
import type { SkService, SkSessionView } from './service.js';

const LIMIT = 16 * 1024;
const MAX_WAIT_MS = 30_000;

function waitMs(url: URL): number {
  const raw = url.searchParams.get('timeoutMs');
  if (raw === null) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 120_000)
    throw new HttpProblem(400, 'BAD_TIMEOUT', 'timeoutMs must be 0-120000');
  return Math.min(n, MAX_WAIT_MS);
}

function bearer(header: string | undefined): string | undefined {
  return /^Bearer ([\x21-\x7e]{1,200})$/.exec(header ?? '')?.[1];
}

function smartIdView(v: SkSessionView) {
  return {
    state: v.state,
    ...(v.result ? { result: { endResult: v.result, ...(v.cert ? { documentNumber: v.id } : {}) } } : {}),
    ...(v.signature ? { signature: v.signature } : {}),
    ...(v.cert
      ? { cert: { value: v.cert, certificateLevel: 'QUALIFIED' }, interactionFlowUsed: 'displayTextAndPIN' }
      : {}),
  };
}

function mobileIdView(v: SkSessionView) {
  return {
    state: v.state,
    ...(v.result ? { result: v.result } : {}),
    ...(v.signature ? { signature: v.signature } : {}),
    ...(v.cert ? { cert: v.cert } : {}),
  };
}

/**
 * The SK service's HTTP API under /sk: the Smart-ID RP API v2 and Mobile-ID REST API shapes
 * for relying parties, and riik's device API for the simulated phone apps.
 */
export function skRoutes(sk: SkService, prefix = '/sk'): Route[] {
  return [
    {
      method: 'POST',
      path: `${prefix}/smart-id/v2/authentication/etsi/:semanticsIdentifier`,
      name: 'sk.smartid.start',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, LIMIT, (v) => smartIdAuthenticationRequest.parse(v));
        sk.checkRelyingParty(body.relyingPartyUUID, body.relyingPartyName);
        const m = /^PNOEE-([0-9]{11})$/.exec(params.semanticsIdentifier ?? '');
        if (!m) throw new HttpProblem(400, 'BAD_IDENTIFIER', 'semantics identifier PNOEE-<code> expected');
        const sessionID = await sk.start('smart-id', {
          idCode: m[1]!,
          hash: body.hash,
          hashType: body.hashType,
          rpName: body.relyingPartyName,
          ...(body.allowedInteractionsOrder[0]?.displayText60
            ? { displayText: body.allowedInteractionsOrder[0].displayText60 }
            : {}),
        });
        sendJson(res, 200, { sessionID });
      },
    },
    {
      method: 'GET',
      path: `${prefix}/smart-id/v2/session/:sessionId`,
      name: 'sk.smartid.session',
      handler: async ({ res, params, url }) =>
        sendJson(res, 200, smartIdView(await sk.status('smart-id', params.sessionId!, waitMs(url)))),
    },
    {
      method: 'POST',
      path: `${prefix}/mid-api/authentication`,
      name: 'sk.mid.start',
      handler: async ({ req, res }) => {
        const body = await readJson(req, LIMIT, (v) => mobileIdAuthenticationRequest.parse(v));
        sk.checkRelyingParty(body.relyingPartyUUID, body.relyingPartyName);
        const sessionID = await sk.start('mobile-id', {
          idCode: body.nationalIdentityNumber,
          phoneNumber: body.phoneNumber,
          hash: body.hash,
          hashType: body.hashType,
          rpName: body.relyingPartyName,
          ...(body.displayText ? { displayText: body.displayText } : {}),
        });
        sendJson(res, 200, { sessionID });
      },
    },
    {
      method: 'GET',
      path: `${prefix}/mid-api/authentication/session/:sessionId`,
      name: 'sk.mid.session',
      handler: async ({ res, params, url }) =>
        sendJson(res, 200, mobileIdView(await sk.status('mobile-id', params.sessionId!, waitMs(url)))),
    },
    {
      method: 'POST',
      path: `${prefix}/device/register`,
      name: 'sk.device.register',
      handler: async ({ req, res }) => {
        const body = await readJson(req, LIMIT, (v) => deviceRegistration.parse(v));
        sendJson(res, 201, await sk.registerDevice(body));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/device/:deviceId/requests`,
      name: 'sk.device.requests',
      handler: async ({ req, res, params, url }) => {
        const requests = await sk.pendingRequests(
          params.deviceId!,
          bearer(req.headers.authorization),
          waitMs(url),
        );
        sendJson(res, 200, { requests });
      },
    },
    {
      method: 'POST',
      path: `${prefix}/device/:deviceId/requests/:sessionId`,
      name: 'sk.device.answer',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, LIMIT, (v) => deviceAnswer.parse(v));
        await sk.answer(params.deviceId!, bearer(req.headers.authorization), params.sessionId!, body);
        res.writeHead(204).end();
      },
    },
  ];
}

export type { DeviceKind };
