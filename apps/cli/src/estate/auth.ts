import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@riik/http';
import { Certificate, type DocumentType } from '@riik/pki';
import { authPaths, initAuth, readAuthConfig } from '@riik/service-auth';
import { CaService, caPaths, issueRequestSchema, loadCa } from '@riik/service-ca';
import { issuePersonToken } from './people.js';
import { authService } from './services.js';
import type { Component } from './types.js';

/** The demo person every fresh e-state has, with the PINs of a test card's PIN envelope. */
export const DEMO_PERSON = {
  idCode: '38001085718',
  givenName: 'Jaak-Kristjan',
  surname: 'Jõeorg',
  pins: { pin1: '1234', pin2: '12345', puk: '12345678' },
  /** SK's Mobile-ID demo number. */
  phone: '+37200000766',
};

export const DEMO_CLIENT_ID = 'riik-portal';

export function demoTokenFiles(dataDir: string): Record<'id-card' | 'smart-id' | 'mobile-id', string> {
  const dir = join(dataDir, 'people');
  return {
    'id-card': join(dir, `${DEMO_PERSON.idCode}.token`),
    'smart-id': join(dir, `${DEMO_PERSON.idCode}.smart-id.token`),
    'mobile-id': join(dir, `${DEMO_PERSON.idCode}.mobile-id.token`),
  };
}

/**
 * First start of the login service in `riik up`: its keys, the CA certificate it trusts, the
 * demo e-service client (whose page the login service itself serves at /demo), and the demo
 * person's ID-card, Smart-ID and Mobile-ID tokens, certified by the CA in-process (the CA is
 * not running yet while components are prepared).
 */
export async function prepareAuth(options: {
  dataDir: string;
  issuer: string;
  cardReaderUrl: string;
}): Promise<void> {
  const { dataDir, issuer } = options;
  if (!existsSync(authPaths(dataDir).config)) {
    initAuth({
      dataDir,
      issuer,
      clients: [
        {
          client_id: DEMO_CLIENT_ID,
          client_name: 'riik demo e-service',
          client_secret: randomBytes(32).toString('base64url'),
          redirect_uris: [`${issuer}/demo/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      trustedCas: [Certificate.fromPem(readFileSync(caPaths(dataDir).cert('esteid'), 'utf8'))],
      cardReaderUrl: options.cardReaderUrl,
      demoClientId: DEMO_CLIENT_ID,
    });
  }
  const files = demoTokenFiles(dataDir);
  const missing = (Object.entries(files) as Array<[DocumentType, string]>).filter(([, f]) => !existsSync(f));
  if (missing.length === 0) return;
  mkdirSync(join(dataDir, 'people'), { recursive: true });
  const ca = await CaService.open(dataDir, loadCa(dataDir), createLogger('ca', 'silent'));
  try {
    const issuer = {
      issue: async (profile: 'person-auth' | 'person-sign', csr: string, subject: object) => {
        const { certificate } = await ca.issue(issueRequestSchema.parse({ profile, csr, subject }));
        return { certificate: certificate.toPem() };
      },
    };
    for (const [documentType, file] of missing) {
      await issuePersonToken(issuer, {
        file,
        holder: DEMO_PERSON,
        documentType,
        pins: DEMO_PERSON.pins,
      });
    }
  } finally {
    await ca.close();
  }
}

/** Status fields of the auth service for `riik status` (the card reader and apps read them). */
export function authStatus(dataDir: string, url: string): Record<string, unknown> {
  if (!existsSync(authPaths(dataDir).config)) return {};
  const config = readAuthConfig(dataDir);
  return {
    issuer: config.issuer,
    cardReaderUrl: config.cardReaderUrl,
    skUrl: config.sk.url ?? `${url}/sk`,
    demo: `${config.issuer}/demo`,
  };
}

/** The login service (OIDC provider, login page, simulated SK) on port base + 4. */
export const authComponent: Component = {
  services: [authService],
  prepare: (ctx) =>
    prepareAuth({
      dataDir: ctx.dataDir,
      issuer: `http://${ctx.host}:${ctx.portBase + 4}`,
      cardReaderUrl: `http://127.0.0.1:${ctx.portBase + 9}`,
    }),
  notes: (ctx) => {
    const files = demoTokenFiles(ctx.dataDir);
    const pins = DEMO_PERSON.pins;
    return [
      `log in at http://${ctx.host}:${ctx.portBase + 4}/demo as ${DEMO_PERSON.givenName} ${DEMO_PERSON.surname} (${DEMO_PERSON.idCode}):`,
      `  ID-card:   riik card-reader --token ${files['id-card']}   (PIN1 ${pins.pin1}, PIN2 ${pins.pin2}, PUK ${pins.puk})`,
      `  Smart-ID:  riik smart-id app --token ${files['smart-id']}   (PIN1 ${pins.pin1})`,
      `  Mobile-ID: riik mobile-id app --token ${files['mobile-id']} --phone ${DEMO_PERSON.phone}   (PIN1 ${pins.pin1})`,
    ];
  },
  processes: (ctx) => [
    {
      name: 'auth',
      kind: 'auth',
      service: 'auth',
      port: ctx.portBase + 4,
      status: authStatus(ctx.dataDir, `http://${ctx.host}:${ctx.portBase + 4}`),
    },
  ],
};
