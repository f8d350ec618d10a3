import { CodedError } from '@riik/core';
import type { ResponseClassification } from '../errors/classify.js';
import type { XRoadErrorBody } from '../errors/fault.js';

/** What went wrong in an X-Road call made with `XRoadClient`. */
export type XRoadClientFault =
  /** The response carried X-Road-Error: X-Road itself failed (see `fault` and `classification`). */
  | 'X_ROAD_ERROR'
  /** A successful-looking response whose X-Road headers do not match the request. */
  | 'INCONSISTENT_RESPONSE'
  /** The Security Server could not be reached, or the connection broke. */
  | 'NETWORK_ERROR'
  /** No response within the configured time. */
  | 'TIMEOUT'
  /** The caller passed something the protocol cannot carry. */
  | 'BAD_ARGUMENT'
  /** The Security Server's answer is not a valid metaservice response. */
  | 'BAD_RESPONSE';

export class XRoadClientError extends CodedError<XRoadClientFault> {
  /** HTTP status of the response, when there was one. */
  readonly status: number | undefined;
  /** The X-Road error body (`X_ROAD_ERROR`); built from the header alone when the body was unreadable. */
  readonly fault: XRoadErrorBody | undefined;
  /** PR-REST §4.6 classification of the response (`X_ROAD_ERROR`). */
  readonly classification: ResponseClassification | undefined;

  constructor(
    code: XRoadClientFault,
    message: string,
    options?: {
      cause?: unknown;
      status?: number;
      fault?: XRoadErrorBody;
      classification?: ResponseClassification;
    },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.fault = options?.fault;
    this.classification = options?.classification;
  }
}
