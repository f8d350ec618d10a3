/**
 * The ds:Signature element (XML Signature Syntax and Processing, section 4) read into a typed
 * model. Structure that the schema requires is enforced here (a failure is XMLDSIG_MALFORMED);
 * whether algorithms are acceptable and values verify is decided later, in verify.ts.
 */
import type { XmlElement } from '../xml/dom.js';
import { AsiceError } from '../errors.js';
import { decodeBase64Strict } from '../xml/base64.js';
import { attribute, childrenNamed, describe, elementChildren, isNamed, textOnly } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';

/** Namespace of exclusive C14N's InclusiveNamespaces element. */
export const EXC_C14N_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface Transform {
  readonly algorithm: string;
  /** Exclusive C14N InclusiveNamespaces PrefixList, when given. */
  readonly inclusivePrefixes?: readonly string[];
  /** True when the Transform element has content we do not interpret (XPath, XSLT, ...). */
  readonly hasOtherContent: boolean;
}

export interface Reference {
  readonly element: XmlElement;
  readonly id?: string;
  readonly uri?: string;
  readonly type?: string;
  readonly transforms: readonly Transform[];
  readonly digestMethod: string;
  readonly digestValue: Uint8Array;
}

export interface SignedInfo {
  readonly element: XmlElement;
  readonly canonicalizationMethod: string;
  readonly inclusivePrefixes?: readonly string[];
  readonly signatureMethod: string;
  readonly references: readonly Reference[];
}

export interface XmlSignature {
  /** The ds:Signature element. */
  readonly element: XmlElement;
  readonly id?: string;
  readonly signedInfo: SignedInfo;
  readonly signatureValue: { readonly element: XmlElement; readonly id?: string; readonly value: Uint8Array };
  /** DER certificates from KeyInfo/X509Data/X509Certificate, in document order. */
  readonly keyInfoCertificates: readonly Uint8Array[];
  /** The ds:Object elements. */
  readonly objects: readonly XmlElement[];
}

function malformed(message: string): AsiceError {
  return new AsiceError('XMLDSIG_MALFORMED', message);
}

export function parseXmlSignature(signature: XmlElement): XmlSignature {
  if (!isNamed(signature, NS.ds, 'Signature'))
    throw malformed(`expected ds:Signature, found ${describe(signature)}`);
  const children = elementChildren(signature);
  const [signedInfoEl, signatureValueEl] = children;
  if (!signedInfoEl || !isNamed(signedInfoEl, NS.ds, 'SignedInfo')) {
    throw malformed('ds:Signature must start with ds:SignedInfo');
  }
  if (!signatureValueEl || !isNamed(signatureValueEl, NS.ds, 'SignatureValue')) {
    throw malformed('ds:SignedInfo must be followed by ds:SignatureValue');
  }
  let rest = children.slice(2);
  let keyInfo: XmlElement | undefined;
  if (rest[0] && isNamed(rest[0], NS.ds, 'KeyInfo')) {
    keyInfo = rest[0];
    rest = rest.slice(1);
  }
  for (const el of rest) {
    if (!isNamed(el, NS.ds, 'Object')) throw malformed(`unexpected ${describe(el)} in ds:Signature`);
  }
  const value = decodeBase64Strict(requireText(signatureValueEl));
  if (!value || value.length === 0) throw malformed('ds:SignatureValue is not base64');
  const signatureValueId = attribute(signatureValueEl, 'Id');
  const id = attribute(signature, 'Id');
  return {
    element: signature,
    ...(id !== undefined ? { id } : {}),
    signedInfo: parseSignedInfo(signedInfoEl),
    signatureValue: {
      element: signatureValueEl,
      ...(signatureValueId !== undefined ? { id: signatureValueId } : {}),
      value,
    },
    keyInfoCertificates: keyInfo ? keyInfoCertificates(keyInfo) : [],
    objects: rest,
  };
}

function parseSignedInfo(el: XmlElement): SignedInfo {
  const [c14nEl, methodEl, ...refEls] = elementChildren(el);
  if (!c14nEl || !isNamed(c14nEl, NS.ds, 'CanonicalizationMethod')) {
    throw malformed('ds:SignedInfo must start with ds:CanonicalizationMethod');
  }
  if (!methodEl || !isNamed(methodEl, NS.ds, 'SignatureMethod')) {
    throw malformed('ds:CanonicalizationMethod must be followed by ds:SignatureMethod');
  }
  if (elementChildren(methodEl).length > 0) {
    // HMACOutputLength and friends: truncation attacks; nothing we accept takes parameters
    throw malformed('ds:SignatureMethod parameters are not accepted');
  }
  if (refEls.length === 0) throw malformed('ds:SignedInfo has no ds:Reference');
  const c14n = parseAlgorithmWithPrefixes(c14nEl);
  return {
    element: el,
    canonicalizationMethod: c14n.algorithm,
    ...(c14n.inclusivePrefixes ? { inclusivePrefixes: c14n.inclusivePrefixes } : {}),
    signatureMethod: requireAlgorithm(methodEl),
    references: refEls.map(parseReference),
  };
}

function parseReference(el: XmlElement): Reference {
  if (!isNamed(el, NS.ds, 'Reference')) throw malformed(`unexpected ${describe(el)} in ds:SignedInfo`);
  let children = elementChildren(el);
  let transforms: Transform[] = [];
  if (children[0] && isNamed(children[0], NS.ds, 'Transforms')) {
    const transformEls = elementChildren(children[0]);
    if (transformEls.length === 0) throw malformed('empty ds:Transforms');
    transforms = transformEls.map((t) => {
      if (!isNamed(t, NS.ds, 'Transform')) throw malformed(`unexpected ${describe(t)} in ds:Transforms`);
      return parseAlgorithmWithPrefixes(t);
    });
    children = children.slice(1);
  }
  const [digestMethodEl, digestValueEl, ...extra] = children;
  if (!digestMethodEl || !isNamed(digestMethodEl, NS.ds, 'DigestMethod')) {
    throw malformed('ds:Reference lacks ds:DigestMethod');
  }
  if (!digestValueEl || !isNamed(digestValueEl, NS.ds, 'DigestValue') || extra.length > 0) {
    throw malformed('ds:Reference must end with one ds:DigestValue');
  }
  const digestValue = decodeBase64Strict(requireText(digestValueEl));
  if (!digestValue) throw malformed('ds:DigestValue is not base64');
  const id = attribute(el, 'Id');
  const uri = attribute(el, 'URI');
  const type = attribute(el, 'Type');
  return {
    element: el,
    ...(id !== undefined ? { id } : {}),
    ...(uri !== undefined ? { uri } : {}),
    ...(type !== undefined ? { type } : {}),
    transforms,
    digestMethod: requireAlgorithm(digestMethodEl),
    digestValue,
  };
}

function parseAlgorithmWithPrefixes(el: XmlElement): {
  algorithm: string;
  inclusivePrefixes?: string[];
  hasOtherContent: boolean;
} {
  const algorithm = requireAlgorithm(el);
  let inclusivePrefixes: string[] | undefined;
  let hasOtherContent = false;
  for (const child of elementChildren(el)) {
    if (isNamed(child, EXC_C14N_NS, 'InclusiveNamespaces') && inclusivePrefixes === undefined) {
      inclusivePrefixes = (attribute(child, 'PrefixList') ?? '').split(/[ \t\r\n]+/).filter((p) => p !== '');
    } else {
      hasOtherContent = true;
    }
  }
  return { algorithm, ...(inclusivePrefixes ? { inclusivePrefixes } : {}), hasOtherContent };
}

function requireAlgorithm(el: XmlElement): string {
  const algorithm = attribute(el, 'Algorithm');
  if (!algorithm) throw malformed(`${describe(el)} has no Algorithm`);
  return algorithm;
}

function requireText(el: XmlElement): string {
  const text = textOnly(el);
  if (text === undefined) throw malformed(`${describe(el)} must hold text only`);
  return text;
}

function keyInfoCertificates(keyInfo: XmlElement): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const data of childrenNamed(keyInfo, NS.ds, 'X509Data')) {
    for (const certEl of childrenNamed(data, NS.ds, 'X509Certificate')) {
      const der = decodeBase64Strict(requireText(certEl));
      if (!der || der.length === 0) throw malformed('ds:X509Certificate is not base64');
      out.push(der);
    }
  }
  return out;
}
