import type { Element, Node } from '@xmldom/xmldom';

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const PROCESSING_INSTRUCTION_NODE = 7;
export const COMMENT_NODE = 8;
export const DOCUMENT_NODE = 9;

export function isElement(node: Node | null | undefined): node is Element {
  return node?.nodeType === ELEMENT_NODE;
}

export function elementChildren(parent: Node): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) if (isElement(child)) out.push(child);
  return out;
}

export function isNamed(el: Element, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

/** Child elements with the given expanded name, in document order. */
export function childrenNamed(parent: Node, ns: string, localName: string): Element[] {
  return elementChildren(parent).filter((el) => isNamed(el, ns, localName));
}

/** Text content of an element that must hold text only (character data and CDATA, no child elements). */
export function textOnly(el: Element): string | undefined {
  let text = '';
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? '';
    else if (child.nodeType === ELEMENT_NODE) return undefined;
  }
  return text;
}

/** An attribute without namespace, or undefined when absent (an empty value is kept as ''). */
export function attribute(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? '') : undefined;
}

/** The element's expanded name for messages: `{ns}local`. */
export function describe(el: Element): string {
  return el.namespaceURI ? `{${el.namespaceURI}}${el.localName}` : (el.localName ?? el.nodeName);
}
