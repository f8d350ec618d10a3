import { CodedError } from '@riik/core';
import { XRoadIdError } from '../identifiers/errors.js';

/** Why a metadata response (listClients, listMethods, allowedMethods, getOpenAPI) could not be read. */
export type MetadataFault =
  /** Not the structure the protocol defines. */
  | 'MALFORMED'
  /** A well-formed structure carrying an invalid X-Road identifier. */
  | 'INVALID_IDENTIFIER'
  /** Larger than riik reads. */
  | 'TOO_LARGE'
  /** An OpenAPI description that is not OpenAPI 3. */
  | 'UNSUPPORTED_VERSION';

export class MetadataError extends CodedError<MetadataFault> {
  /** Runs `read`, turning identifier errors into `INVALID_IDENTIFIER`. */
  static wrap<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof XRoadIdError)
        throw new MetadataError('INVALID_IDENTIFIER', err.message, { cause: err });
      throw err;
    }
  }
}
