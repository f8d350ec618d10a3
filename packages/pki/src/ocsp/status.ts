/** RFC 6960 §4.2.1 OCSPResponseStatus. */
export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

export type OcspResponseStatusName = keyof typeof OCSP_RESPONSE_STATUS;

/**
 * The whole OCSPResponse for a non-successful status: SEQUENCE { ENUMERATED status }. Constant
 * bytes, so error answers cost nothing to produce.
 */
export function ocspErrorResponse(status: Exclude<OcspResponseStatusName, 'successful'>): Uint8Array {
  return new Uint8Array([0x30, 0x03, 0x0a, 0x01, OCSP_RESPONSE_STATUS[status]]);
}
