/**
 * Test-only: the messageImprint of an RFC 3161 TimeStampToken, read with the @riik/pki codec, so
 * the tests can check the octets this package says a time-stamp covers against real tokens.
 */
import { parseTimeStampToken } from '@riik/pki';
import type { HashName } from '../src/index.js';

const HASHES: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export function messageImprint(token: Uint8Array): { hash: HashName; digest: Buffer } {
  const imprint = parseTimeStampToken(token).tstInfo.messageImprint;
  const hash = HASHES[imprint.algorithm];
  if (!hash) throw new Error(`unknown hash ${imprint.algorithm}`);
  return { hash, digest: Buffer.from(imprint.hashedMessage) };
}
