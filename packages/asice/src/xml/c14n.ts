/**
 * XML canonicalization of an element subtree, as XMLDSig applies it: Canonical XML 1.0 and 1.1
 * (inclusive) and Exclusive XML Canonicalization 1.0, each with or without comments.
 *
 * Written here rather than taken from xmldsigjs because that implementation guesses namespace
 * usage heuristically, orders attributes by the concatenation of namespace URI and local name,
 * does not render the inherited namespace and xml:* context of a subtree for inclusive C14N, and
 * has no C14N 1.1 — all of which change the octets a signature covers. The rules below follow the
 * W3C Recommendations section by section; interop tests check the output against libxml2
 * (xmlsec1) on signed documents.
 *
 * The input is always "an element and all its descendants" (the node-set of a SignedInfo, of a
 * same-document `#id` reference, or of the element a time-stamp covers). Ancestors are not in the
 * node-set but supply context: in-scope namespaces (inclusive C14N renders them on the apex) and,
 * for inclusive C14N, inheritable xml:* attributes.
 */
import type { XmlAttr, XmlElement, XmlNode } from './dom.js';
import { AsiceError } from '../errors.js';
import {
  CDATA_SECTION_NODE,
  COMMENT_NODE,
  ELEMENT_NODE,
  PROCESSING_INSTRUCTION_NODE,
  TEXT_NODE,
  isElement,
} from './dom.js';
import { NS } from './namespaces.js';

export const C14N = Object.freeze({
  c14n10: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  c14n10WithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  c14n11: 'http://www.w3.org/2006/12/xml-c14n11',
  c14n11WithComments: 'http://www.w3.org/2006/12/xml-c14n11#WithComments',
  exc: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
});

type Flavour = 'c14n10' | 'c14n11' | 'exc';

const ALGORITHMS: ReadonlyMap<string, { flavour: Flavour; withComments: boolean }> = new Map([
  [C14N.c14n10, { flavour: 'c14n10', withComments: false }],
  [C14N.c14n10WithComments, { flavour: 'c14n10', withComments: true }],
  [C14N.c14n11, { flavour: 'c14n11', withComments: false }],
  [C14N.c14n11WithComments, { flavour: 'c14n11', withComments: true }],
  [C14N.exc, { flavour: 'exc', withComments: false }],
  [C14N.excWithComments, { flavour: 'exc', withComments: true }],
]);

export function isC14nAlgorithm(uri: string): boolean {
  return ALGORITHMS.has(uri);
}

export function isExclusiveC14n(uri: string): boolean {
  return ALGORITHMS.get(uri)?.flavour === 'exc';
}

export interface C14nOptions {
  /** Algorithm URI (see `C14N`). */
  algorithm: string;
  /** Exclusive C14N InclusiveNamespaces PrefixList; `#default` stands for the default namespace. */
  inclusivePrefixes?: readonly string[];
  /**
   * False when the node-set was produced by a bare-name `#id` reference, which excludes comments
   * whatever the algorithm says (XMLDSig 4.4.3.3). Default: as the algorithm says.
   */
  comments?: boolean;
}

/** The canonical form of `apex` and its descendants, as UTF-8 octets. */
export function canonicalize(apex: XmlElement, options: C14nOptions): Buffer {
  return Buffer.from(canonicalString(apex, options), 'utf8');
}

export function canonicalString(apex: XmlElement, options: C14nOptions): string {
  const alg = ALGORITHMS.get(options.algorithm);
  if (!alg) throw new AsiceError('XML_UNSUPPORTED_C14N', `unsupported canonicalization ${options.algorithm}`);
  if (alg.flavour !== 'exc' && options.inclusivePrefixes?.length) {
    throw new AsiceError('XML_UNSUPPORTED_C14N', 'InclusiveNamespaces is defined only for exclusive C14N');
  }
  const writer = new Writer(
    alg.flavour,
    alg.withComments && options.comments !== false,
    new Set((options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p))),
  );
  writer.element(apex, inScopeOfParent(apex), new Map(), true, inheritedXmlAttributes(apex, alg.flavour));
  return writer.out.join('');
}

class Writer {
  readonly out: string[] = [];

  constructor(
    private readonly flavour: Flavour,
    private readonly comments: boolean,
    private readonly inclusivePrefixes: ReadonlySet<string>,
  ) {}

  /**
   * Both maps are shared with the parent and copied only when this element changes them: a
   * copy per element made canonicalization quadratic in a document that declares thousands of
   * namespaces above a large subtree (and cost time on every ordinary one).
   *
   * @param parentScope namespace bindings in scope at the parent (prefix '' = default namespace)
   * @param rendered bindings the nearest output ancestor rendered
   * @param apex whether this is the apex of the node-set (inclusive C14N renders every namespace
   *   in scope there; below it, only what an element declares can differ from what is rendered)
   * @param extraAttributes inherited xml:* attributes (apex only, inclusive C14N)
   */
  element(
    el: XmlElement,
    parentScope: ReadonlyMap<string, string>,
    rendered: ReadonlyMap<string, string>,
    apex = false,
    extraAttributes: readonly XmlAttr[] = [],
  ): void {
    let scope = parentScope;
    const declared: string[] = [];
    const attributes: XmlAttr[] = [...extraAttributes];
    for (const attr of attributesOf(el)) {
      if (attr.namespaceURI === NS.xmlns) {
        const prefix = attr.prefix ? attr.localName! : '';
        if (scope === parentScope) scope = new Map(parentScope);
        (scope as Map<string, string>).set(prefix, attr.value);
        declared.push(prefix);
      } else attributes.push(attr);
    }

    const candidates =
      this.flavour === 'exc'
        ? this.visiblyUtilized(el, attributes, scope, apex ? undefined : declared)
        : apex
          ? [...scope.keys()]
          : declared;
    let newlyRendered = rendered;
    const declarations: Array<[string, string]> = [];
    for (const prefix of candidates) {
      if (prefix === 'xml') continue;
      const uri = scope.get(prefix) ?? '';
      const previous = rendered.get(prefix) ?? (prefix === '' ? '' : undefined);
      if (previous === uri) continue;
      declarations.push([prefix, uri]);
      if (newlyRendered === rendered) newlyRendered = new Map(rendered);
      (newlyRendered as Map<string, string>).set(prefix, uri);
    }
    declarations.sort(([a], [b]) => compareCodePoints(a, b));
    attributes.sort(
      (a, b) =>
        compareCodePoints(a.namespaceURI ?? '', b.namespaceURI ?? '') ||
        compareCodePoints(a.localName ?? a.name, b.localName ?? b.name),
    );

    const name = el.tagName;
    this.out.push('<', name);
    for (const [prefix, uri] of declarations) {
      this.out.push(prefix ? ` xmlns:${prefix}="` : ' xmlns="', escapeAttribute(uri), '"');
    }
    for (const attr of attributes) this.out.push(' ', attr.name, '="', escapeAttribute(attr.value), '"');
    this.out.push('>');
    for (let child: XmlNode | null = el.firstChild; child; child = child.nextSibling) {
      this.node(child, scope, newlyRendered);
    }
    this.out.push('</', name, '>');
  }

  private node(
    node: XmlNode,
    scope: ReadonlyMap<string, string>,
    rendered: ReadonlyMap<string, string>,
  ): void {
    switch (node.nodeType) {
      case ELEMENT_NODE:
        this.element(node as XmlElement, scope, rendered);
        return;
      case TEXT_NODE:
      case CDATA_SECTION_NODE:
        this.out.push(escapeText(node.nodeValue ?? ''));
        return;
      case COMMENT_NODE:
        if (this.comments) this.out.push('<!--', node.nodeValue ?? '', '-->');
        return;
      case PROCESSING_INSTRUCTION_NODE: {
        const data = node.nodeValue ?? '';
        this.out.push('<?', node.nodeName, data ? ` ${data}` : '', '?>');
        return;
      }
      default:
        throw new AsiceError('XML_UNSUPPORTED_C14N', `cannot canonicalize a node of type ${node.nodeType}`);
    }
  }

  /**
   * Exclusive C14N 3: the element's own prefix, its attributes' prefixes, and the InclusiveNamespaces
   * list. A listed prefix is rendered on the apex when in scope; below the apex it can only need
   * rendering where an element declares it (`declared`), so a long hostile list is not walked for
   * every element.
   */
  private visiblyUtilized(
    el: XmlElement,
    attributes: readonly XmlAttr[],
    scope: ReadonlyMap<string, string>,
    declared: readonly string[] | undefined,
  ): string[] {
    const used = new Set<string>([el.prefix ?? '']);
    for (const attr of attributes) if (attr.prefix) used.add(attr.prefix);
    for (const prefix of declared ?? this.inclusivePrefixes)
      if (this.inclusivePrefixes.has(prefix) && scope.has(prefix)) used.add(prefix);
    return [...used];
  }
}

function attributesOf(el: XmlElement): XmlAttr[] {
  const out: XmlAttr[] = [];
  for (let i = 0; i < el.attributes.length; i++) out.push(el.attributes.item(i)!);
  return out;
}

/** Namespace bindings in scope at the apex's parent (the apex's own declarations are added while writing it). */
function inScopeOfParent(apex: XmlElement): Map<string, string> {
  const chain: XmlElement[] = [];
  for (let node = apex.parentNode; isElement(node); node = node.parentNode) chain.unshift(node);
  const scope = new Map<string, string>();
  for (const el of chain) {
    for (const attr of attributesOf(el)) {
      if (attr.namespaceURI === NS.xmlns) scope.set(attr.prefix ? attr.localName! : '', attr.value);
    }
  }
  return scope;
}

/**
 * xml:* attributes an inclusive canonicalization of a subtree copies onto its apex from ancestors
 * outside the node-set (C14N 1.0 section 2.4; C14N 1.1 section 2.4 keeps only the inheritable
 * xml:lang and xml:space, and joins xml:base values, which we refuse rather than approximate).
 */
function inheritedXmlAttributes(apex: XmlElement, flavour: Flavour): XmlAttr[] {
  if (flavour === 'exc') return [];
  const inherited = new Map<string, XmlAttr>();
  for (let node = apex.parentNode; isElement(node); node = node.parentNode) {
    for (const attr of attributesOf(node)) {
      if (attr.namespaceURI !== NS.xml) continue;
      const local = attr.localName ?? '';
      if (flavour === 'c14n11') {
        if (local === 'base') {
          throw new AsiceError('XML_UNSUPPORTED_C14N', 'C14N 1.1 xml:base fix-up is not supported');
        }
        if (local !== 'lang' && local !== 'space') continue;
      }
      if (!inherited.has(local)) inherited.set(local, attr); // the nearest ancestor wins
    }
  }
  for (const attr of attributesOf(apex))
    if (attr.namespaceURI === NS.xml) inherited.delete(attr.localName ?? '');
  return [...inherited.values()];
}

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!);
}

function escapeAttribute(value: string): string {
  return value.replace(
    /[&<"\t\n\r]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c]!,
  );
}

/** Order by Unicode code point (UTF-16 comparison misorders characters outside the BMP). */
function compareCodePoints(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
