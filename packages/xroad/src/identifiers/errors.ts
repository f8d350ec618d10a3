import { CodedError } from '@riik/core';

/** Why an X-Road identifier could not be read or built. */
export type XRoadIdFault =
  /** A part is the empty string (`INSTANCE//MEMBER`). */
  | 'EMPTY_PART'
  /** Too few or too many `/`-separated parts for this kind of identifier. */
  | 'WRONG_PART_COUNT'
  /** A `%` not followed by two hex digits, or percent-escapes that are not UTF-8. */
  | 'BAD_PERCENT_ENCODING'
  /** A character outside PR-REST §4.8 (strict), or a control / unpaired surrogate (any policy). */
  | 'INVALID_CHARACTER'
  /** A part is `.` or `..`: any URL normaliser on the way would rewrite it. */
  | 'DOT_SEGMENT'
  /** A part or the whole value is longer than riik accepts. */
  | 'TOO_LONG'
  /** The identifier cannot be written in the requested form (a versioned service in REST). */
  | 'NOT_REPRESENTABLE'
  /** Not a string, or an unknown option. */
  | 'BAD_ARGUMENT';

export class XRoadIdError extends CodedError<XRoadIdFault> {}
