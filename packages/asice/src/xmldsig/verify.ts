/**
 * XMLDSig core verification pieces: Id resolution with signature-wrapping defences, reference
 * digests over same-document node-sets, and the SignatureValue check with a given key.
 */
import { createHash, timingSafeEqual, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { XmlDocument, XmlElement } from '../xml/dom.js';
import { canonicalize, isC14nAlgorithm } from '../xml/c14n.js';
import { ELEMENT_NODE } from '../xml/dom.js';
import type { HashName, SignatureAlgorithm } from './algorithms.js';
import type { Reference, SignedInfo } from './signature.js';

/**
 * Every element carrying an `Id` attribute, by value. XMLDSig resolves `#x` by ID; DigiDoc
 * documents declare no DTD or schema, so (like Santuario's secure validation and libdigidocpp)
 * we treat the unqualified `Id` attribute as the ID. Values used more than once are reported
 * so that a reference can never be resolved to a twin planted elsewhere in the document.
 */
export function indexIds(doc: XmlDocument): { byId: Map<string, XmlElement>; duplicates: Set<string> } {
  const byId = new Map<string, XmlElement>();
  const duplicates = new Set<string>();
  const stack: XmlElement[] = doc.documentElement ? [doc.documentElement] : [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.hasAttribute('Id')) {
      const id = el.getAttribute('Id') ?? '';
      if (byId.has(id)) duplicates.add(id);
      else byId.set(id, el);
    }
    for (let child = el.lastChild; child; child = child.previousSibling) {
      if (child.nodeType === ELEMENT_NODE) stack.push(child as XmlElement);
    }
  }
  return { byId, duplicates };
}

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/**
 * The octets a same-document reference covers: the element a bare-name `#id` URI selects
 * (comments excluded, XMLDSig 4.4.3.3), passed through its one canonicalization transform, or
 * through Canonical XML 1.0 when it has none (the node-set to octets conversion of 4.4.3.2).
 * Returns undefined when the transforms are not a single canonicalization.
 */
export function sameDocumentReferenceOctets(target: XmlElement, reference: Reference): Buffer | undefined {
  if (reference.transforms.length > 1) return undefined;
  const transform = reference.transforms[0];
  if (transform && (!isC14nAlgorithm(transform.algorithm) || transform.hasOtherContent)) return undefined;
  return canonicalize(target, {
    algorithm: transform?.algorithm ?? 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
    ...(transform?.inclusivePrefixes ? { inclusivePrefixes: transform.inclusivePrefixes } : {}),
    comments: false,
  });
}

/** The canonical SignedInfo, the octets the SignatureValue signs. */
export function signedInfoOctets(signedInfo: SignedInfo): Buffer {
  return canonicalize(signedInfo.element, {
    algorithm: signedInfo.canonicalizationMethod,
    ...(signedInfo.inclusivePrefixes ? { inclusivePrefixes: signedInfo.inclusivePrefixes } : {}),
  });
}

/** Does `key` suit `algorithm` (RSA key for RSA, EC key for ECDSA)? */
export function keyFits(key: KeyObject, algorithm: SignatureAlgorithm): boolean {
  const type = key.asymmetricKeyType;
  return algorithm.keyType === 'rsa' ? type === 'rsa' || type === 'rsa-pss' : type === 'ec';
}

/**
 * Verifies a SignatureValue over `data`. ECDSA values are the raw r||s concatenation XMLDSig 1.1
 * (section 6.4.3) prescribes, not DER; RSA is PKCS#1 v1.5 or PSS with MGF1 and a hash-length salt.
 */
export function verifySignatureValue(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signatureValue: Uint8Array,
): boolean {
  if (!keyFits(key, algorithm)) return false;
  try {
    if (algorithm.keyType === 'ec') {
      return cryptoVerify(algorithm.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signatureValue);
    }
    const padding =
      algorithm.padding === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
    return cryptoVerify(
      algorithm.hash,
      data,
      {
        key,
        padding,
        ...(algorithm.padding === 'pss' ? { saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {}),
      },
      signatureValue,
    );
  } catch {
    return false; // malformed value (wrong length for the curve, ...) verifies as false
  }
}
