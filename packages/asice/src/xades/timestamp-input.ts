/**
 * The octets each XAdES time-stamp covers (its message imprint input), per EN 319 132-1.
 */
import type { XmlElement } from '../xml/dom.js';
import type { DataFile } from '../container/model.js';
import type { DigestPart } from '../validation/digests.js';
import { canonicalize, isC14nAlgorithm } from '../xml/c14n.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { fileNameFromUri, isSameDocumentUri } from '../xmldsig/uri.js';
import { sameDocumentReferenceOctets } from '../xmldsig/verify.js';
import type { XadesSignature, XadesTimeStamp } from './model.js';

/**
 * SignatureTimeStamp (5.3): the ds:SignatureValue element, canonicalized with the time-stamp's
 * CanonicalizationMethod. Undefined when that method is not one we implement.
 */
export function signatureTimeStampInput(signature: XadesSignature, ts: XadesTimeStamp): Buffer | undefined {
  if (!isC14nAlgorithm(ts.canonicalizationMethod)) return undefined;
  return canonicalize(signature.xml.signatureValue.element, { algorithm: ts.canonicalizationMethod });
}

/**
 * ArchiveTimeStamp (xades141, EN 319 132-1 5.5.2.2), in order:
 *   1. the output of every ds:Reference of SignedInfo (data files as stored, same-document
 *      references canonicalized as they were for the digest);
 *   2. SignedInfo, SignatureValue and KeyInfo, each canonicalized;
 *   3. every unsigned signature property that precedes this time-stamp, each canonicalized;
 *   4. every ds:Object not referenced from SignedInfo, other than the one with the
 *      QualifyingProperties, each canonicalized.
 * Undefined when a reference cannot be resolved or a transform is outside what we implement.
 */
export function archiveTimeStampInput(
  signature: XadesSignature,
  ts: XadesTimeStamp,
  findDataFile: (name: string) => DataFile | undefined,
  findById: (id: string) => XmlElement | undefined,
): DigestPart[] | undefined {
  const algorithm = ts.canonicalizationMethod;
  if (!isC14nAlgorithm(algorithm)) return undefined;
  const c14n = (el: XmlElement): Buffer => canonicalize(el, { algorithm });
  const parts: DigestPart[] = [];
  const referencedObjects = new Set<XmlElement>();
  for (const reference of signature.xml.signedInfo.references) {
    if (reference.uri === undefined) return undefined;
    if (isSameDocumentUri(reference.uri)) {
      const target = findById(reference.uri.slice(1));
      const octets = target && sameDocumentReferenceOctets(target, reference);
      if (!target || !octets) return undefined;
      parts.push(octets);
      if (isNamed(target, NS.ds, 'Object')) referencedObjects.add(target);
    } else {
      if (reference.transforms.length > 0) return undefined;
      const file = findDataFile(fileNameFromUri(reference.uri));
      if (!file) return undefined;
      parts.push({ dataFile: file });
    }
  }
  const xml = signature.xml;
  parts.push(c14n(xml.signedInfo.element), c14n(xml.signatureValue.element));
  const keyInfo = elementChildren(xml.element).find((el) => isNamed(el, NS.ds, 'KeyInfo'));
  if (keyInfo) parts.push(c14n(keyInfo));
  const usp = ts.element.parentNode as XmlElement;
  for (const property of elementChildren(usp)) {
    if (property === ts.element) break;
    parts.push(c14n(property));
  }
  const qp = signature.qualifyingProperties.element;
  for (const object of xml.objects) {
    if (referencedObjects.has(object) || elementChildren(object).includes(qp)) continue;
    parts.push(c14n(object));
  }
  return parts;
}
