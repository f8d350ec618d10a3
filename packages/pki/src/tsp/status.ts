import { encodeTlv } from '../der.js';
import { PkiError } from '../errors.js';

/** PKIStatus (RFC 3161 §2.4.2, from RFC 4210). */
export const PKI_STATUS = {
  granted: 0,
  grantedWithMods: 1,
  rejection: 2,
  waiting: 3,
  revocationWarning: 4,
  revocationNotification: 5,
} as const;
export type PkiStatusName = keyof typeof PKI_STATUS;

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const PKI_FAILURE_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;
export type PkiFailureInfoName = keyof typeof PKI_FAILURE_INFO;

export function pkiStatusName(value: number): PkiStatusName | undefined {
  return (Object.keys(PKI_STATUS) as PkiStatusName[]).find((k) => PKI_STATUS[k] === value);
}

/**
 * DER of a PKIFailureInfo BIT STRING with the named bits set. A named bit list drops its trailing
 * zero bits in DER (X.690 §11.2.2), so the string ends at the highest bit set.
 */
export function encodeFailureInfo(names: readonly PkiFailureInfoName[]): Uint8Array {
  if (names.length === 0) throw new PkiError('BAD_ARGUMENT', 'at least one failure bit is needed');
  const bits = names.map((n) => PKI_FAILURE_INFO[n]);
  const highest = Math.max(...bits);
  const octets = new Uint8Array(1 + Math.floor(highest / 8) + 1);
  octets[0] = 7 - (highest % 8); // unused bits in the last octet
  for (const bit of bits) octets[1 + Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  return encodeTlv(0x03, octets);
}

/** The named bits of a PKIFailureInfo BIT STRING's content (unused-bits octet first). */
export function decodeFailureInfo(content: Uint8Array): PkiFailureInfoName[] {
  if (content.length === 0 || content[0]! > 7) throw new PkiError('MALFORMED_DER', 'bad BIT STRING');
  const set = (bit: number) => {
    const octet = content[1 + Math.floor(bit / 8)];
    return octet !== undefined && (octet & (0x80 >> (bit % 8))) !== 0;
  };
  return (Object.keys(PKI_FAILURE_INFO) as PkiFailureInfoName[]).filter((n) => set(PKI_FAILURE_INFO[n]));
}
