/**
 * Test-only: the messageImprint of an RFC 3161 TimeStampToken, read with asn1js, so the tests can
 * check the octets this package says a time-stamp covers against real tokens. (Validating tokens
 * is the PKI layer's job; this reads one field and trusts nothing.)
 *
 * TimeStampToken = ContentInfo { contentType id-signedData, content [0] SignedData {
 *   version, digestAlgorithms, encapContentInfo { eContentType id-ct-TSTInfo, eContent [0] OCTET STRING (TSTInfo) }, ... } }
 * TSTInfo = SEQUENCE { version, policy, messageImprint { hashAlgorithm, hashedMessage }, ... }
 */
import * as asn1js from 'asn1js';
import type { HashName } from '../src/index.js';

const HASHES: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function items(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return (block as asn1js.Constructed).valueBlock.value;
}

export function messageImprint(token: Uint8Array): { hash: HashName; digest: Buffer } {
  const contentInfo = asn1js.fromBER(token).result;
  const signedData = items(items(contentInfo)[1])[0];
  const encap = items(signedData)[2];
  const eContent = items(items(encap)[1])[0] as asn1js.OctetString;
  const tstInfo = asn1js.fromBER(eContent.getValue()).result;
  const imprint = items(tstInfo)[2];
  const [alg, hashed] = items(imprint);
  const oid = (items(alg)[0] as asn1js.ObjectIdentifier).getValue();
  const hash = HASHES[oid];
  if (!hash) throw new Error(`unknown hash ${oid}`);
  return { hash, digest: Buffer.from((hashed as asn1js.OctetString).getValue()) };
}
