/**
 * The read-only view of an XML tree that riik's XML code works on. Both riik's own parser
 * (tree.ts) and @xmldom/xmldom satisfy these interfaces structurally: asice parses with its own
 * parser, while @riik/xroad still parses with xmldom and hands its elements to asice's
 * canonicalization.
 */

export interface XmlNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly textContent: string | null;
  readonly localName: string | null;
  readonly prefix: string | null;
  readonly namespaceURI: string | null;
  readonly parentNode: XmlNode | null;
  readonly firstChild: XmlNode | null;
  readonly lastChild: XmlNode | null;
  readonly nextSibling: XmlNode | null;
  readonly previousSibling: XmlNode | null;
}

/** An attribute; namespace declarations are attributes in the `http://www.w3.org/2000/xmlns/` namespace. */
export interface XmlAttr extends XmlNode {
  readonly name: string;
  readonly value: string;
}

export interface XmlAttributes {
  readonly length: number;
  item(index: number): XmlAttr | null;
}

export interface XmlElement extends XmlNode {
  readonly tagName: string;
  readonly attributes: XmlAttributes;
  getAttribute(qualifiedName: string): string | null;
  getAttributeNS(namespace: string | null, localName: string): string | null;
  hasAttribute(qualifiedName: string): boolean;
  hasAttributeNS(namespace: string | null, localName: string): boolean;
}

/** Text, CDATA section, comment or processing instruction. */
export interface XmlCharacterData extends XmlNode {
  readonly data: string;
}

export interface XmlProcessingInstruction extends XmlCharacterData {
  readonly target: string;
}

export interface XmlDocument extends XmlNode {
  readonly documentElement: XmlElement | null;
}

export const ELEMENT_NODE = 1;
export const ATTRIBUTE_NODE = 2;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const PROCESSING_INSTRUCTION_NODE = 7;
export const COMMENT_NODE = 8;
export const DOCUMENT_NODE = 9;

export function isElement(node: XmlNode | null | undefined): node is XmlElement {
  return node?.nodeType === ELEMENT_NODE;
}

export function elementChildren(parent: XmlNode): XmlElement[] {
  const out: XmlElement[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) if (isElement(child)) out.push(child);
  return out;
}

export function isNamed(el: XmlElement, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

/** Child elements with the given expanded name, in document order. */
export function childrenNamed(parent: XmlNode, ns: string, localName: string): XmlElement[] {
  return elementChildren(parent).filter((el) => isNamed(el, ns, localName));
}

/** Text content of an element that must hold text only (character data and CDATA, no child elements). */
export function textOnly(el: XmlElement): string | undefined {
  let text = '';
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? '';
    else if (child.nodeType === ELEMENT_NODE) return undefined;
  }
  return text;
}

/** An attribute without namespace, or undefined when absent (an empty value is kept as ''). */
export function attribute(el: XmlElement, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? '') : undefined;
}

/** The element's expanded name for messages: `{ns}local`. */
export function describe(el: XmlElement): string {
  return el.namespaceURI ? `{${el.namespaceURI}}${el.localName}` : (el.localName ?? el.nodeName);
}
