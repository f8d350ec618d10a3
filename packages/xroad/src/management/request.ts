import { verify as nodeVerify } from 'node:crypto';
import { z } from 'zod';
import { CodedError, fromBase64, toBase64 } from '@riik/core';
import type { Signer } from '@riik/keys';
import { Certificate } from '@riik/pki';

/*
 * Management requests from a security server to the central server: registering an authentication
 * certificate and registering a client. X-Road carries these as SOAP management services (PR-MSERV)
 * through the security servers; riik sends the same content as a small JSON document to the central
 * server's HTTP API, signed the way PR-MSERV asks — an authentication certificate registration by the
 * authentication key itself (proof of possession) and by the owner's signing key, a client registration
 * by the owner's and the client member's signing keys. docs/xroad-compat.md records the deviation.
 */

export type ManagementFault = 'MALFORMED' | 'BAD_SIGNATURE';
export class ManagementError extends CodedError<ManagementFault> {}

export const managementBodySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('auth-cert-reg'),
    server: z.string().min(1).max(1024),
    address: z.string().min(1).max(255),
    authCert: z.string().min(1).max(16_384),
    createdAt: z.string().max(64),
  }),
  z.object({
    type: z.literal('client-reg'),
    server: z.string().min(1).max(1024),
    client: z.string().min(1).max(1024),
    createdAt: z.string().max(64),
  }),
]);
export type ManagementBody = z.infer<typeof managementBodySchema>;

export const signedManagementRequestSchema = z.object({
  /** base64 of the UTF-8 JSON body: the exact signed bytes. */
  request: z.string().min(1).max(65_536),
  signatures: z
    .array(z.object({ certificate: z.string().min(1).max(16_384), signature: z.string().min(1).max(1024) }))
    .min(1)
    .max(4),
});
export type SignedManagementRequest = z.infer<typeof signedManagementRequestSchema>;

/** Sign a management request with each of `signers` (ECDSA with SHA-256, DER signature values). */
export async function buildManagementRequest(
  body: ManagementBody,
  signers: ReadonlyArray<{ signer: Signer; certificate: Certificate }>,
): Promise<SignedManagementRequest> {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return {
    request: toBase64(bytes),
    signatures: await Promise.all(
      signers.map(async ({ signer, certificate }) => ({
        certificate: toBase64(certificate.der),
        signature: toBase64(await signer.sign(bytes, 'SHA-256')),
      })),
    ),
  };
}

/**
 * Read a signed management request: the body must parse and every signature must verify with its
 * certificate. Returns the body and the certificates that signed it; whether those certificates are
 * trusted and entitled is the central server's decision.
 */
export function openManagementRequest(input: unknown): { body: ManagementBody; signers: Certificate[] } {
  const parsed = signedManagementRequestSchema.safeParse(input);
  if (!parsed.success) throw new ManagementError('MALFORMED', 'not a signed management request');
  let bytes: Uint8Array;
  let body: ManagementBody;
  try {
    bytes = fromBase64(parsed.data.request);
    body = managementBodySchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  } catch (cause) {
    throw new ManagementError('MALFORMED', 'the management request body is invalid', { cause });
  }
  const signers = parsed.data.signatures.map(({ certificate, signature }) => {
    let cert: Certificate;
    let value: Uint8Array;
    try {
      cert = Certificate.fromDer(fromBase64(certificate));
      value = fromBase64(signature);
    } catch (cause) {
      throw new ManagementError('MALFORMED', 'unreadable signer certificate or signature', { cause });
    }
    let ok = false;
    try {
      ok = nodeVerify('sha256', bytes, { key: cert.publicKey, dsaEncoding: 'der' }, value);
    } catch {
      ok = false;
    }
    if (!ok) throw new ManagementError('BAD_SIGNATURE', `signature by ${cert.subjectString} does not verify`);
    return cert;
  });
  return { body, signers };
}
