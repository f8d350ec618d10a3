import { CodedError } from '@riik/core';
import type { XRoadErrorCode } from '../errors/codes.js';

/** The X-Road verification error codes a message signature or hash chain can fail with. */
export type SignatureErrorCode = Extract<
  XRoadErrorCode,
  | 'MalformedSignature'
  | 'InvalidSignatureValue'
  | 'InvalidReference'
  | 'UnsupportedAlgorithm'
  | 'MalformedHashChain'
  | 'InvalidHashChain'
  | 'InvalidHashChainRef'
  | 'HashChainUnusedInputs'
  | 'IncorrectCertificate'
  | 'CannotCreateSignature'
>;

/**
 * A message signature (PR-MESSTRANSP §3, `signature/bdoc-1.0/ts`) or hash chain that cannot be read or
 * does not verify. The code is the X-Road error code; a Security Server prefixes it with its component
 * (`Server.ServerProxy.InvalidSignatureValue`).
 */
export class SignatureError extends CodedError<SignatureErrorCode> {}
