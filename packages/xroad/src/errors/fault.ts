import { CodedError } from '@riik/core';
import type { XRoadFaultType } from './codes.js';
import { faultStatus } from './classify.js';

/** The X-Road error body `{type, message, detail}` (PR-REST §4.6). */
export interface XRoadErrorBody {
  readonly type: string;
  readonly message: string;
  readonly detail: string;
}

/**
 * A fault in X-Road message processing, carrying its X-Road type as its code
 * (`Client.BadRequest`, `Server.ServerProxy.AccessDenied`, ...). Security servers throw it and turn it
 * into an error response with `buildErrorResponse(fault.toBody(id), accept)`.
 */
export class XRoadFault extends CodedError<XRoadFaultType> {
  /** The `detail` of the error body; the Security Server puts an error id here when none is given. */
  readonly detail: string | undefined;

  constructor(type: XRoadFaultType, message: string, options?: { cause?: unknown; detail?: string }) {
    super(type, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.detail = options?.detail;
  }

  get type(): XRoadFaultType {
    return this.code;
  }

  /** 500 for `Server.*` faults, 400 for `Client.*` faults (PR-REST §4.6, categories 2–4). */
  get status(): 400 | 500 {
    return faultStatus(this.code);
  }

  /** The error body, with `detail` (typically a fresh error id) used when the fault has none. */
  toBody(detail: string): XRoadErrorBody {
    return { type: this.code, message: this.message, detail: this.detail ?? detail };
  }
}
