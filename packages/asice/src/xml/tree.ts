/**
 * The nodes riik's XML parser (parser.ts) builds: a small read-only DOM with just what asice reads
 * (see dom.ts). Fields are plain properties set once while parsing, so reading them is a property
 * load, not a getter walk as in xmldom. Nothing here mutates a tree after parsing.
 */
import {
  ATTRIBUTE_NODE,
  CDATA_SECTION_NODE,
  COMMENT_NODE,
  DOCUMENT_NODE,
  ELEMENT_NODE,
  PROCESSING_INSTRUCTION_NODE,
  TEXT_NODE,
  type XmlAttr,
  type XmlAttributes,
  type XmlCharacterData,
  type XmlDocument,
  type XmlElement,
  type XmlProcessingInstruction,
} from './dom.js';

abstract class ParentNode {
  parentNode: XmlParentNode | null = null;
  firstChild: XmlChildNode | null = null;
  lastChild: XmlChildNode | null = null;
  nextSibling: XmlChildNode | null = null;
  previousSibling: XmlChildNode | null = null;

  /** Used only by the parser while it builds the tree. */
  appendChild(child: XmlChildNode): void {
    child.parentNode = this as unknown as XmlParentNode;
    const last = this.lastChild;
    if (last) {
      last.nextSibling = child;
      child.previousSibling = last;
    } else {
      this.firstChild = child;
    }
    this.lastChild = child;
  }
}

export class Document extends ParentNode implements XmlDocument {
  readonly nodeType = DOCUMENT_NODE;
  readonly nodeName = '#document';
  readonly nodeValue = null;
  readonly textContent = null;
  readonly localName = null;
  readonly prefix = null;
  readonly namespaceURI = null;
  documentElement: Element | null = null;
}

export class Attr implements XmlAttr {
  readonly nodeType = ATTRIBUTE_NODE;
  readonly parentNode = null;
  readonly firstChild = null;
  readonly lastChild = null;
  readonly nextSibling = null;
  readonly previousSibling = null;

  constructor(
    readonly name: string,
    readonly prefix: string | null,
    readonly localName: string,
    readonly namespaceURI: string | null,
    readonly value: string,
  ) {}

  get nodeName(): string {
    return this.name;
  }
  get nodeValue(): string {
    return this.value;
  }
  get textContent(): string {
    return this.value;
  }
}

export class Attributes implements XmlAttributes {
  static readonly EMPTY = new Attributes([]);

  constructor(private readonly list: readonly Attr[]) {}

  get length(): number {
    return this.list.length;
  }

  item(index: number): Attr | null {
    return this.list[index] ?? null;
  }

  byName(qualifiedName: string): Attr | undefined {
    for (const attr of this.list) if (attr.name === qualifiedName) return attr;
    return undefined;
  }

  byExpandedName(namespace: string | null, localName: string): Attr | undefined {
    for (const attr of this.list) {
      if (attr.namespaceURI === namespace && attr.localName === localName) return attr;
    }
    return undefined;
  }
}

export class Element extends ParentNode implements XmlElement {
  readonly nodeType = ELEMENT_NODE;
  readonly nodeValue = null;

  constructor(
    readonly tagName: string,
    readonly prefix: string | null,
    readonly localName: string,
    readonly namespaceURI: string | null,
    readonly attributes: Attributes,
  ) {
    super();
  }

  get nodeName(): string {
    return this.tagName;
  }

  getAttribute(qualifiedName: string): string | null {
    return this.attributes.byName(qualifiedName)?.value ?? null;
  }

  getAttributeNS(namespace: string | null, localName: string): string | null {
    return this.attributes.byExpandedName(namespace || null, localName)?.value ?? null;
  }

  hasAttribute(qualifiedName: string): boolean {
    return this.attributes.byName(qualifiedName) !== undefined;
  }

  hasAttributeNS(namespace: string | null, localName: string): boolean {
    return this.attributes.byExpandedName(namespace || null, localName) !== undefined;
  }

  /** The concatenated text and CDATA of all descendants, as DOM's textContent (walked without recursion). */
  get textContent(): string {
    let out = '';
    let node: XmlChildNode | null = this.firstChild;
    while (node) {
      if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) out += node.data;
      else if (node.nodeType === ELEMENT_NODE && node.firstChild) {
        node = node.firstChild;
        continue;
      }
      // no later sibling: climb until an ancestor below this element has one
      while (!node.nextSibling) {
        const parent: XmlParentNode | null = node.parentNode;
        if (parent === this || parent === null || parent.nodeType === DOCUMENT_NODE) return out;
        node = parent;
      }
      node = node.nextSibling;
    }
    return out;
  }
}

abstract class CharacterData implements XmlCharacterData {
  abstract readonly nodeType: number;
  abstract readonly nodeName: string;
  parentNode: XmlParentNode | null = null;
  nextSibling: XmlChildNode | null = null;
  previousSibling: XmlChildNode | null = null;
  readonly firstChild = null;
  readonly lastChild = null;
  readonly localName = null;
  readonly prefix = null;
  readonly namespaceURI = null;

  constructor(readonly data: string) {}

  get nodeValue(): string {
    return this.data;
  }
  get textContent(): string {
    return this.data;
  }
}

export class Text extends CharacterData {
  readonly nodeType = TEXT_NODE;
  readonly nodeName = '#text';
}

export class CDATASection extends CharacterData {
  readonly nodeType = CDATA_SECTION_NODE;
  readonly nodeName = '#cdata-section';
}

export class Comment extends CharacterData {
  readonly nodeType = COMMENT_NODE;
  readonly nodeName = '#comment';
}

export class ProcessingInstruction extends CharacterData implements XmlProcessingInstruction {
  readonly nodeType = PROCESSING_INSTRUCTION_NODE;

  constructor(
    readonly target: string,
    data: string,
  ) {
    super(data);
  }

  get nodeName(): string {
    return this.target;
  }
}

export type XmlParentNode = Document | Element;
export type XmlChildNode = Element | Text | CDATASection | Comment | ProcessingInstruction;
