import { C14N, canonicalize } from '@riik/asice/xml/c14n';
import type { XmlElement } from '../xml.js';

/** The one canonicalization riik writes and accepts in message signatures. */
export const EXC_C14N = C14N.exc;

/**
 * Exclusive XML Canonicalization 1.0 without comments and without an InclusiveNamespaces PrefixList
 * of the subtree rooted at `apex`, as UTF-8 bytes: the canonicalization of a message signature's
 * SignedInfo and of its SignedProperties reference. The implementation is the one DigiDoc
 * signatures use (@riik/asice), so both kinds of signature canonicalize alike.
 */
export function excC14n(apex: XmlElement): Uint8Array {
  return canonicalize(apex, { algorithm: C14N.exc });
}
