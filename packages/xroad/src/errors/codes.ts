/**
 * X-Road error codes, exactly as the reference Security Server names them (`ErrorCodes.java` of
 * nordic-institute/X-Road, 7.x series). A fault type is a prefix naming the component plus one of these:
 * `Server.ServerProxy.AccessDenied`. PR-REST §4.6 defines the three prefixes.
 *
 * (X-Road's development branch renamed them to lower snake case, `server.serverproxy.access_denied`, in
 * 2025; PR-REST 1.0.4 and every released Security Server use the forms below.)
 */
export const X_ROAD_ERROR_CODES = [
  // Generic errors
  'IOError',
  'NetworkError',
  'InternalError',
  'BadRequest',
  'NotFound',
  'HttpError',
  'DatabaseError',
  'InvalidResponse',
  'InvalidRequest',
  // Verification errors
  'CannotCreateSignature',
  'CertValidation',
  'MissingValidationInfo',
  'IncorrectValidationInfo',
  'CannotCreateCertPath',
  'CertValidityTime',
  'IncorrectCertificate',
  'UnsupportedAlgorithm',
  'InvalidSignatureValue',
  'MalformedSignature',
  'InvalidXml',
  'InvalidReference',
  'InvalidCertPath',
  'SignatureVerification',
  'MalformedSoap',
  'TimestampValidation',
  'InvalidHashChain',
  'MalformedHashChain',
  'HashChainUnusedInputs',
  'InvalidHashChainRef',
  // Message processing errors
  'SslAuthenticationFailed',
  'LoggingFailed',
  'TimestampingFailed',
  'InvalidContentType',
  'InvalidSoapAction',
  'InvalidHttpMethod',
  'InvalidMessage',
  'InvalidSecurityServer',
  'MimeParsingFailed',
  'MissingHeader',
  'MissingHeaderField',
  'DuplicateHeaderField',
  'MissingBody',
  'InvalidBody',
  'InconsistentHeaders',
  'InconsistentResponse',
  'MissingSoap',
  'InvalidSoap',
  'MissingRest',
  'InvalidRest',
  'AccessDenied',
  'ServiceDisabled',
  'ServiceFailed',
  'MissingSignature',
  'UnknownService',
  'InvalidProtocolVersion',
  'InvalidClientIdentifier',
  'ServiceType',
  'ClientProxyVersionNotSupported',
  // Configuration errors
  'UnknownMember',
  'MalformedServerConf',
  'MalformedKeyConf',
  'MalformedGlobalConf',
  'MalformedOptionalPartsConf',
  'OutdatedGlobalConf',
  'ServiceMissingUrl',
  'ServiceMalformedUrl',
  'HSMNonOperational',
  'MaintenanceMode',
] as const;

export type XRoadErrorCode = (typeof X_ROAD_ERROR_CODES)[number];

/**
 * Who reports the fault (PR-REST §4.6): `Client` — the consumer information system's request was
 * rejected; `Server.ClientProxy` — the consumer's Security Server failed; `Server.ServerProxy` — the
 * provider's Security Server failed (including when it got no answer from the provider service).
 */
export type XRoadErrorPrefix = 'Client' | 'Server.ClientProxy' | 'Server.ServerProxy';

export const X_ROAD_ERROR_PREFIXES: ReadonlyArray<XRoadErrorPrefix> = [
  'Client',
  'Server.ClientProxy',
  'Server.ServerProxy',
];

/** A fault type riik can raise, e.g. `Client.InvalidClientIdentifier`. */
export type XRoadFaultType = `${XRoadErrorPrefix}.${XRoadErrorCode}`;

const CODES = new Set<string>(X_ROAD_ERROR_CODES);

/** True when `type` is a prefix plus one of the standard codes. */
export function isXRoadFaultType(type: string): type is XRoadFaultType {
  for (const prefix of X_ROAD_ERROR_PREFIXES) {
    if (type.startsWith(`${prefix}.`) && CODES.has(type.slice(prefix.length + 1))) return true;
  }
  return false;
}
