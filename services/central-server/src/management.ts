import { bytesEqual, fromBase64 } from '@riik/core';
import { Certificate, OID } from '@riik/pki';
import {
  ManagementError,
  openManagementRequest,
  SecurityServerId,
  XRoadClientId,
  XRoadIdError,
} from '@riik/xroad';
import type { RegistrationRequest, Registry } from './db/registry.js';
import { CentralError } from './errors.js';

/** How far a request's createdAt may be from the central server's clock. */
const MAX_SKEW_MS = 10 * 60_000;

/**
 * Accept a signed management request from a security server (see `openManagementRequest` for the
 * format) and file it for the operator's decision. Checks what a central server can check before a
 * human looks: every signer certificate chains to an approved CA and is valid now; an authentication
 * certificate registration is signed by that authentication certificate and by a signing certificate
 * of the server's owner; a client registration by the owner and, for another member's subsystem, by
 * that member too. A signing certificate names its member by its subject serialNumber (the member code,
 * riik's X-Road signing profile).
 */
export async function submitManagementRequest(
  registry: Registry,
  input: unknown,
  now: Date,
): Promise<RegistrationRequest> {
  let opened: ReturnType<typeof openManagementRequest>;
  try {
    opened = openManagementRequest(input);
  } catch (err) {
    if (err instanceof ManagementError)
      throw new CentralError(
        err.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'INVALID_REQUEST',
        err.message,
        { cause: err },
      );
    throw err;
  }
  const { body, signers } = opened;
  const created = new Date(body.createdAt);
  if (Number.isNaN(created.getTime()) || Math.abs(created.getTime() - now.getTime()) > MAX_SKEW_MS)
    throw new CentralError('INVALID_REQUEST', 'the request is not from now (createdAt)');
  const anchors = (await registry.approvedCas()).flatMap((ca) => [
    ca.topCa.cert,
    ...ca.intermediateCas.map((i) => i.cert),
  ]);
  const cas = anchors.map((der) => Certificate.fromDer(der));
  for (const cert of signers) {
    const issuer = cas.find((ca) => bytesEqual(ca.subjectDer, cert.issuerDer) && cert.isSignedBy(ca));
    if (!issuer || !cert.isValidAt(now))
      throw new CentralError(
        'UNTRUSTED_CERTIFICATE',
        `${cert.subjectString} is not from an approved CA or not valid now`,
      );
  }
  const memberCodeOf = (c: Certificate) => c.subjectValues(OID.serialNumber)[0];
  const isSigning = (c: Certificate) => (c.keyUsage ?? []).includes('nonRepudiation');
  let server: SecurityServerId;
  try {
    server = SecurityServerId.parse(body.server);
  } catch (cause) {
    if (cause instanceof XRoadIdError)
      throw new CentralError('INVALID_REQUEST', `invalid server identifier: ${cause.message}`, { cause });
    throw cause;
  }
  const signedByMember = (member: XRoadClientId) =>
    signers.some((c) => isSigning(c) && memberCodeOf(c) === member.memberCode);
  if (!(await registry.hasMember(server.owner)))
    throw new CentralError('NOT_FOUND', `${server.owner.encode()} is not a member of ${registry.instance}`);
  if (!signedByMember(server.owner))
    throw new CentralError('BAD_SIGNATURE', "the request must be signed by the server owner's signing key");

  if (body.type === 'auth-cert-reg') {
    let authCert: Certificate;
    try {
      authCert = Certificate.fromDer(fromBase64(body.authCert));
    } catch (cause) {
      throw new CentralError('INVALID_REQUEST', 'unreadable authentication certificate', { cause });
    }
    if (!signers.some((c) => c.equals(authCert)))
      throw new CentralError(
        'BAD_SIGNATURE',
        'the request must be signed by the authentication key (proof of possession)',
      );
    if (!(authCert.extendedKeyUsage ?? []).includes(OID.kpClientAuth))
      throw new CentralError('INVALID_REQUEST', 'not an X-Road authentication certificate');
    return registry.submitRequest(
      { type: 'auth-cert-reg', server, address: body.address, cert: authCert.der },
      now,
    );
  }
  let client: XRoadClientId;
  try {
    client = XRoadClientId.parse(body.client);
  } catch (cause) {
    if (cause instanceof XRoadIdError)
      throw new CentralError('INVALID_REQUEST', `invalid client identifier: ${cause.message}`, { cause });
    throw cause;
  }
  if (!client.member.equals(server.owner) && !signedByMember(client))
    throw new CentralError('BAD_SIGNATURE', 'a client of another member must be signed by that member too');
  if (!(await registry.hasMember(client)))
    throw new CentralError('NOT_FOUND', `${client.member.encode()} is not a member of ${registry.instance}`);
  return registry.submitRequest({ type: 'client-reg', server, client }, now);
}
