import { checkPart, splitEncoded, joinEncoded, type IdentifierOptions } from '../identifiers/parts.js';

/**
 * The X-Road-Represented-Party header (PR-REST §4.3, the third-party representation extension):
 * `[member class]/[member code]`, the class OPTIONAL — with it absent the `/` is left out too.
 */
export interface RepresentedParty {
  readonly partyClass: string | null;
  readonly partyCode: string;
}

export function parseRepresentedParty(value: string, options?: IdentifierOptions): RepresentedParty {
  const parts = splitEncoded(value, 1, 2, 'represented party');
  return parts.length === 2
    ? {
        partyClass: checkPart(parts[0], 'party class', options),
        partyCode: checkPart(parts[1], 'party code', options),
      }
    : { partyClass: null, partyCode: checkPart(parts[0], 'party code', options) };
}

export function encodeRepresentedParty(party: RepresentedParty): string {
  return joinEncoded(party.partyClass === null ? [party.partyCode] : [party.partyClass, party.partyCode]);
}

/**
 * The X-Road-UserId header: opaque to X-Road. PR-REST §4.3 recommends a two-letter ISO country prefix
 * (`EE12345678901`); when the value has one it is split off, otherwise `countryCode` is null.
 */
export interface XRoadUserId {
  readonly userId: string;
  readonly countryCode: string | null;
  readonly userCode: string;
}

export function parseUserId(value: string): XRoadUserId {
  const match = /^([A-Z]{2})(.+)$/.exec(value);
  return match
    ? { userId: value, countryCode: match[1]!, userCode: match[2]! }
    : { userId: value, countryCode: null, userCode: value };
}
