import { CodedError } from '@riik/core';
import type { XRoadErrorCode } from '../errors/codes.js';

/** The X-Road error codes the transport message can fail with. */
export type TransportErrorCode = Extract<
  XRoadErrorCode,
  | 'MimeParsingFailed'
  | 'InvalidContentType'
  | 'InvalidMessage'
  | 'MissingSignature'
  | 'MissingRest'
  | 'InvalidBody'
>;

/**
 * A transport message between Security Servers (PR-MESSTRANSP §3.1) that cannot be read. The code is
 * the X-Road error code; the Security Server adds its component prefix.
 */
export class TransportError extends CodedError<TransportErrorCode> {}
