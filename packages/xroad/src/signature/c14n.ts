import type { XmlElement } from '../xml.js';
import { SignatureError } from './errors.js';

/** The one canonicalization riik writes and accepts in message signatures. */
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

interface Attr {
  name: string;
  value: string;
  namespaceURI: string | null;
  prefix: string | null;
  localName: string;
}

function attributesOf(el: XmlElement): Attr[] {
  const out: Attr[] = [];
  const list = el.attributes;
  for (let i = 0; i < list.length; i++) {
    const a = list.item(i)!;
    out.push({
      name: a.name,
      value: a.value,
      namespaceURI: a.namespaceURI,
      prefix: a.prefix,
      localName: a.localName ?? a.name,
    });
  }
  return out;
}

/** The namespace prefix → URI bindings in scope at `el` ('' is the default namespace). */
function inScopeNamespaces(el: XmlElement): Map<string, string> {
  const chain: XmlElement[] = [];
  for (let n: XmlElement | null = el; n && n.nodeType === 1; n = n.parentNode as XmlElement | null)
    chain.unshift(n);
  const scope = new Map<string, string>();
  for (const e of chain) {
    for (const a of attributesOf(e)) {
      if (a.namespaceURI !== XMLNS_NS) continue;
      scope.set(a.prefix === 'xmlns' ? a.localName : '', a.value);
    }
  }
  return scope;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

/**
 * Exclusive XML Canonicalization 1.0 without comments (W3C REC xml-exc-c14n, no InclusiveNamespaces
 * PrefixList) of the subtree rooted at `apex`, as UTF-8 bytes. This is the canonicalization of the
 * signature's SignedInfo and of the SignedProperties reference; riik writes and accepts no other.
 *
 * Written here rather than taken from a library because it is the one transform X-Road message
 * signatures need, it runs on every signed batch, and the general-purpose XML-DSig libraries for Node
 * run on WebCrypto with async APIs around a DOM they build themselves. Rules implemented (§3 of the
 * REC): a namespace node is rendered on an element when the element or one of its attributes visibly
 * uses its prefix and the nearest output ancestor did not already render the same binding; namespace
 * declarations come first, sorted by prefix (default first), then attributes sorted by namespace URI
 * and local name; empty elements are written as start/end tag pairs; text and attribute values are
 * escaped as §2.3 of Canonical XML 1.0 says; processing instructions are kept and comments dropped.
 */
export function excC14n(apex: XmlElement): Uint8Array {
  const out: string[] = [];
  // Bindings declared on ancestors of the apex are in scope there, but none is rendered yet.
  const parent = apex.parentNode;
  const scope = parent?.nodeType === 1 ? inScopeNamespaces(parent as XmlElement) : new Map<string, string>();
  walk(apex, scope, new Map(), out);
  return new Uint8Array(Buffer.from(out.join(''), 'utf8'));
}

function walk(
  el: XmlElement,
  parentScope: Map<string, string>,
  rendered: Map<string, string>,
  out: string[],
): void {
  const attrs = attributesOf(el);
  const scope = new Map(parentScope);
  for (const a of attrs) {
    if (a.namespaceURI === XMLNS_NS) scope.set(a.prefix === 'xmlns' ? a.localName : '', a.value);
  }
  const elementPrefix = el.prefix ?? '';
  const used = new Set<string>([elementPrefix]);
  const plain = attrs.filter((a) => a.namespaceURI !== XMLNS_NS);
  for (const a of plain) {
    if (a.prefix && a.prefix !== 'xml') used.add(a.prefix);
  }
  const renderedHere = new Map(rendered);
  const decls: Array<[string, string]> = [];
  for (const prefix of used) {
    const uri = scope.get(prefix) ?? '';
    if (prefix !== '' && uri === '')
      throw new SignatureError('MalformedSignature', `undeclared namespace prefix ${prefix}`);
    // Rendered already by the nearest output ancestor (the default namespace starts out as '').
    if ((rendered.get(prefix) ?? '') === uri) continue;
    decls.push([prefix, uri]);
    renderedHere.set(prefix, uri);
  }
  decls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  plain.sort((a, b) => {
    const na = a.namespaceURI ?? '';
    const nb = b.namespaceURI ?? '';
    if (na !== nb) return na < nb ? -1 : 1;
    return a.localName < b.localName ? -1 : a.localName > b.localName ? 1 : 0;
  });
  const qname = el.tagName;
  out.push('<', qname);
  for (const [prefix, uri] of decls)
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttr(uri), '"');
  for (const a of plain) out.push(' ', a.name, '="', escapeAttr(a.value), '"');
  out.push('>');
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) walk(n as XmlElement, scope, renderedHere, out);
    else if (n.nodeType === 3 || n.nodeType === 4)
      out.push(escapeText((n as unknown as { data: string }).data));
    else if (n.nodeType === 7) {
      const pi = n as unknown as { target: string; data: string };
      out.push('<?', pi.target, pi.data ? ` ${pi.data}` : '', '?>');
    }
  }
  out.push('</', qname, '>');
}
