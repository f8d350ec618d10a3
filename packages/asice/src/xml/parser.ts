/**
 * A strict, non-validating XML 1.0 (5th edition) + Namespaces 1.0 parser, written for riik because
 * @xmldom/xmldom was the largest cost of validating a signature after the ECDSA verifications: it
 * builds regular expressions per parse and per end tag and keeps much DOM bookkeeping (~187 µs for a
 * 10 KB signatures0.xml). This one scans the decoded string with charCodeAt/indexOf, builds the small
 * read-only tree of tree.ts, and never recurses (a hostile document may nest arbitrarily deep).
 *
 * Every well-formedness and namespace-constraint violation is fatal. Document type declarations are
 * refused by parse.ts before this runs, so only the five predefined entities exist.
 *
 * Line ends are normalised before scanning (XML 1.0 section 2.11), attribute values as CDATA-type
 * attributes (section 3.3.3: each literal TAB/LF/CR becomes a space, character references keep their
 * character), as canonicalization relies on.
 */
import { AsiceError } from '../errors.js';
import { NS } from './namespaces.js';
import {
  Attr,
  Attributes,
  CDATASection,
  Comment,
  Document,
  Element,
  ProcessingInstruction,
  Text,
  type XmlChildNode,
  type XmlParentNode,
} from './tree.js';

export interface TreeLimits {
  /** Deepest node (document children are at depth 1). */
  maxDepth: number;
  /** Nodes in the tree, the document included (attributes are not counted). */
  maxNodes: number;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const APOS = 0x27;
const SLASH = 0x2f;
const COLON = 0x3a;
const LT = 0x3c;
const EQUALS = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const BANG = 0x21;

/** ASCII part of NameStartChar (bit 1) and NameChar (bit 2). */
const NAME_START = 1;
const NAME_CHAR = 2;
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII_NAME[c] = NAME_START | NAME_CHAR;
  else if (/[0-9.-]/.test(ch)) ASCII_NAME[c] = NAME_CHAR;
}

/** NameStartChar above ASCII in the Basic Multilingual Plane (XML 1.0 5th ed. production [4]). */
function isNameStartBmp(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** NameChar above ASCII in the BMP (production [4a]). */
function isNameCharBmp(c: number): boolean {
  return isNameStartBmp(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

/** Char (production [2]) as a code point; used for character references. */
function isXmlChar(cp: number): boolean {
  return (
    cp === TAB ||
    cp === LF ||
    cp === CR ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * UTF-16 units that may be outside Char: C0 controls other than TAB/LF/CR, any surrogate (a
 * well-paired one is fine, checked by hand), U+FFFE and U+FFFF. One precompiled scan of the
 * document is cheaper than testing every unit in the scanner.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SUSPECT_CHAR = /[\0-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/g;

function checkChars(s: string): void {
  SUSPECT_CHAR.lastIndex = 0;
  while (SUSPECT_CHAR.test(s)) {
    const at = SUSPECT_CHAR.lastIndex - 1;
    const c = s.charCodeAt(at);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        SUSPECT_CHAR.lastIndex = at + 2;
        continue;
      }
    }
    throw malformed(`character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed`, at);
  }
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** The XML declaration (production [23]), matched once at the start of the document. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/;

export interface XmlDeclaration {
  /** Characters the declaration takes at the start of the text (0 when there is none). */
  readonly length: number;
  readonly version: '1.0' | '1.1';
  readonly encoding?: string;
}

/** Reads the XML declaration, if the text starts with one; a malformed one is an error. */
export function readXmlDeclaration(text: string): XmlDeclaration {
  if (!text.startsWith('<?xml')) return { length: 0, version: '1.0' };
  const after = text.charCodeAt(5);
  if (after < 128 && ASCII_NAME[after]! & NAME_CHAR) return { length: 0, version: '1.0' }; // <?xml-stylesheet
  const m = XML_DECLARATION.exec(text);
  if (!m) throw malformed('malformed XML declaration', 0);
  const version = m[1] ?? m[2];
  // XML 1.1 is read as xmldom read it (its line ends, otherwise the rules of 1.0); other versions are refused
  if (version !== '1.0' && version !== '1.1') throw malformed(`XML version ${version} is not supported`, 0);
  const encoding = m[3] ?? m[4];
  return { length: m[0].length, version, ...(encoding === undefined ? {} : { encoding }) };
}

/** End-of-line handling (XML 1.0 section 2.11; XML 1.1 adds NEL and LINE SEPARATOR). */
export function normalizeLineEnds(text: string, version: '1.0' | '1.1'): string {
  if (version === '1.1') return text.replace(/\r[\n\u0085]?|[\u0085\u2028]/g, '\n');
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Parses `text` (everything after the XML declaration, line ends already normalised). */
export function parseTree(text: string, limits: TreeLimits, offset = 0): Document {
  checkChars(text);
  return new Scanner(text, limits, offset).document();
}

class Scanner {
  private i = 0;
  private readonly n: number;
  private nodes = 1; // the document
  private readonly doc = new Document();
  private readonly open: Element[] = [];
  /**
   * Namespace URIs bound to each prefix ('' for the default namespace, where '' undeclares it),
   * innermost last: a lookup costs the same however many declarations are in scope.
   */
  private readonly bindings = new Map<string, string[]>();
  /** Prefixes each open element declared (undefined: none), unbound when it closes. */
  private readonly declared: Array<string[] | undefined> = [];
  /** Next ']]>' and '&' at or after a position already passed (amortises the searches to one pass). */
  private nextCdataEnd = -1;
  private nextAmp = -1;
  /** Where the last scanned name had its first colon (-1: none), and how many it had. */
  private colonAt = -1;
  private colons = 0;

  constructor(
    private readonly s: string,
    private readonly limits: TreeLimits,
    private readonly offset: number,
  ) {
    this.n = s.length;
  }

  document(): Document {
    const doc = this.doc;
    this.misc(doc);
    if (this.i >= this.n) throw this.error('XML document has no root element');
    if (this.s.charCodeAt(this.i) !== LT) throw this.error('text before the root element');
    this.i++;
    this.startTag(doc);
    this.content();
    this.misc(doc);
    if (this.i < this.n) {
      throw this.error(
        this.s.charCodeAt(this.i) === LT ? 'markup after the root element' : 'text after the root element',
      );
    }
    return doc;
  }

  /** Comments, PIs and white space before or after the root element (production [27]). */
  private misc(doc: Document): void {
    const s = this.s;
    for (;;) {
      this.skipSpace();
      if (s.charCodeAt(this.i) !== LT) return;
      const next = s.charCodeAt(this.i + 1);
      if (next === BANG && s.startsWith('<!--', this.i)) this.comment(doc);
      else if (next === QUESTION) this.processingInstruction(doc);
      else return;
    }
  }

  /** Everything inside the root element, until it closes. */
  private content(): void {
    const s = this.s;
    const open = this.open;
    while (open.length > 0) {
      const parent = open[open.length - 1]!;
      if (this.i >= this.n) throw this.error(`element <${parent.tagName}> is not closed`);
      if (s.charCodeAt(this.i) !== LT) {
        this.text(parent);
        continue;
      }
      const next = s.charCodeAt(this.i + 1);
      if (next === SLASH) this.endTag(parent);
      else if (next === QUESTION) this.processingInstruction(parent);
      else if (next === BANG) {
        if (s.startsWith('<!--', this.i)) this.comment(parent);
        else if (s.startsWith('<![CDATA[', this.i)) this.cdata(parent);
        else throw this.error('markup declarations are not allowed in content');
      } else {
        this.i++;
        this.startTag(parent);
      }
    }
  }

  private append(parent: XmlParentNode, child: XmlChildNode): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw new AsiceError('XML_TOO_LARGE', `XML has more than ${this.limits.maxNodes} nodes`);
    }
    if (this.open.length + 1 > this.limits.maxDepth) {
      throw new AsiceError('XML_TOO_DEEP', `XML nests deeper than ${this.limits.maxDepth}`);
    }
    parent.appendChild(child);
  }

  // ---- character data ----

  private text(parent: Element): void {
    const s = this.s;
    const start = this.i;
    let end = s.indexOf('<', start);
    if (end < 0) end = this.n;
    if (this.nextCdataEnd < start) this.nextCdataEnd = indexOrEnd(s, ']]>', start);
    if (this.nextCdataEnd < end) throw this.error("']]>' is not allowed in text", this.nextCdataEnd);
    if (this.nextAmp < start) this.nextAmp = indexOrEnd(s, '&', start);
    const data = this.nextAmp < end ? this.withReferences(start, end) : s.slice(start, end);
    this.i = end;
    this.append(parent, new Text(data));
  }

  /** Text with entity and character references replaced (content, production [43]). */
  private withReferences(start: number, end: number): string {
    const s = this.s;
    let out = '';
    let from = start;
    for (let amp = s.indexOf('&', start); amp >= 0 && amp < end; amp = s.indexOf('&', from)) {
      const semi = this.referenceEnd(amp, end);
      out += s.slice(from, amp) + this.reference(amp, semi);
      from = semi + 1;
    }
    return out + s.slice(from, end);
  }

  private referenceEnd(amp: number, end: number): number {
    const semi = this.s.indexOf(';', amp + 1);
    if (semi < 0 || semi >= end) throw this.error("'&' does not start a reference", amp);
    return semi;
  }

  /** The character a reference `&...;` (from `amp` to `semi`) stands for (productions [66], [68]). */
  private reference(amp: number, semi: number): string {
    const s = this.s;
    if (s.charCodeAt(amp + 1) !== HASH) {
      const name = s.slice(amp + 1, semi);
      const value = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
      if (value === undefined) throw this.error(`undeclared entity &${name};`, amp);
      return value;
    }
    const hex = s.charCodeAt(amp + 2) === 0x78; // 'x'
    let p = hex ? amp + 3 : amp + 2;
    if (p === semi) throw this.error('empty character reference', amp);
    let cp = 0;
    for (; p < semi; p++) {
      const c = s.charCodeAt(p);
      let digit: number;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (hex && c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      else if (hex && c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
      else throw this.error('malformed character reference', amp);
      cp = cp * (hex ? 16 : 10) + digit;
      if (cp > 0x10ffff) throw this.error('character reference beyond Unicode', amp);
    }
    if (!isXmlChar(cp)) throw this.error(`character reference to U+${cp.toString(16)} is not a Char`, amp);
    return String.fromCodePoint(cp);
  }

  private comment(parent: XmlParentNode): void {
    const s = this.s;
    const start = this.i + 4;
    const dashes = s.indexOf('--', start);
    if (dashes < 0) throw this.error('comment is not closed');
    if (s.charCodeAt(dashes + 2) !== GT) throw this.error("'--' is not allowed in a comment", dashes);
    this.i = dashes + 3;
    this.append(parent, new Comment(s.slice(start, dashes)));
  }

  private cdata(parent: Element): void {
    const s = this.s;
    const start = this.i + 9;
    const end = s.indexOf(']]>', start);
    if (end < 0) throw this.error('CDATA section is not closed');
    this.i = end + 3;
    // an empty section adds no character; like xmldom, keep no node for it
    if (end > start) this.append(parent, new CDATASection(s.slice(start, end)));
  }

  private processingInstruction(parent: XmlParentNode): void {
    const s = this.s;
    const at = this.i;
    this.i += 2;
    const start = this.i;
    this.name();
    const target = s.slice(start, this.i);
    if (this.colons > 0) throw this.error('a processing instruction target may not contain a colon', at);
    if (target.length === 3 && target.toLowerCase() === 'xml') {
      throw this.error(
        at + this.offset === 0
          ? 'malformed XML declaration'
          : 'XML declaration is allowed only at the very start',
        at,
      );
    }
    let data = '';
    if (!s.startsWith('?>', this.i)) {
      if (!this.skipSpace()) throw this.error('processing instruction target must be followed by space');
      const end = s.indexOf('?>', this.i);
      if (end < 0) throw this.error('processing instruction is not closed', at);
      data = s.slice(this.i, end);
      this.i = end;
    }
    this.i += 2;
    this.append(parent, new ProcessingInstruction(target, data));
  }

  // ---- tags ----

  /** A start or empty-element tag, `<` already consumed (productions [40], [44], NS [12], [14]). */
  private startTag(parent: XmlParentNode): void {
    const s = this.s;
    const at = this.i - 1;
    const nameStart = this.i;
    this.qname(at);
    const tagName = s.slice(nameStart, this.i);
    const tagColon = this.colonAt < 0 ? -1 : this.colonAt - nameStart;

    const names: string[] = [];
    const colonsAt: number[] = [];
    const values: string[] = [];
    let empty = false;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === GT) {
        this.i++;
        break;
      }
      if (c === SLASH) {
        if (s.charCodeAt(this.i + 1) !== GT) throw this.error("expected '/>'");
        this.i += 2;
        empty = true;
        break;
      }
      if (this.i >= this.n) throw this.error(`start tag <${tagName}> is not closed`, at);
      if (!spaced) throw this.error('attributes must be separated by white space');
      const attrStart = this.i;
      this.qname(attrStart);
      names.push(s.slice(attrStart, this.i));
      colonsAt.push(this.colonAt < 0 ? -1 : this.colonAt - attrStart);
      this.skipSpace();
      if (s.charCodeAt(this.i) !== EQUALS) throw this.error("expected '=' after an attribute name");
      this.i++;
      this.skipSpace();
      values.push(this.attributeValue());
    }

    // Namespace declarations first: they apply to the element's own name and attributes.
    let declared: string[] | undefined;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const prefix =
        name === 'xmlns' ? '' : colonsAt[k] === 5 && name.startsWith('xmlns:') ? name.slice(6) : null;
      if (prefix === null) continue;
      this.declare(prefix, values[k]!, at);
      (declared ??= []).push(prefix);
    }

    let prefix: string | null = null;
    let localName = tagName;
    let namespace: string | null;
    if (tagColon < 0) {
      namespace = this.lookup('') || null;
    } else {
      prefix = tagName.slice(0, tagColon);
      localName = tagName.slice(tagColon + 1);
      if (prefix === 'xmlns') throw this.error('the prefix xmlns is not allowed on an element', at);
      namespace = this.resolve(prefix, at);
    }

    let attributes = Attributes.EMPTY;
    if (names.length > 0) {
      const list: Attr[] = [];
      for (let k = 0; k < names.length; k++) {
        const name = names[k]!;
        const colon = colonsAt[k]!;
        let attr: Attr;
        if (colon < 0) {
          attr =
            name === 'xmlns'
              ? new Attr(name, null, name, NS.xmlns, values[k]!)
              : new Attr(name, null, name, null, values[k]!);
        } else {
          const attrPrefix = name.slice(0, colon);
          const uri = attrPrefix === 'xmlns' ? NS.xmlns : this.resolve(attrPrefix, at);
          attr = new Attr(name, attrPrefix, name.slice(colon + 1), uri, values[k]!);
        }
        list.push(attr);
      }
      this.checkUnique(list, at);
      attributes = new Attributes(list);
    }

    const element = new Element(tagName, prefix, localName, namespace, attributes);
    this.append(parent, element);
    if (parent instanceof Document) parent.documentElement = element;
    if (!empty) {
      this.open.push(element);
      this.declared.push(declared);
    } else if (declared) {
      this.unbind(declared);
    }
  }

  /** `</name S?>` matching the innermost open element (element type match, WFC). */
  private endTag(element: Element): void {
    const s = this.s;
    const at = this.i;
    const name = element.tagName;
    this.i += 2;
    if (!s.startsWith(name, this.i)) throw this.error(`end tag does not match <${name}>`, at);
    this.i += name.length;
    this.skipSpace();
    if (s.charCodeAt(this.i) !== GT) throw this.error(`end tag does not match <${name}>`, at);
    this.i++;
    this.open.pop();
    const declared = this.declared.pop();
    if (declared) this.unbind(declared);
  }

  /**
   * A quoted attribute value, normalised for a CDATA-type attribute (section 3.3.3): references
   * replaced, each literal white-space character (TAB, LF; CR is gone after line-end handling) a space.
   */
  private attributeValue(): string {
    const s = this.s;
    const quote = s.charCodeAt(this.i);
    if (quote !== QUOTE && quote !== APOS) throw this.error('attribute value must be quoted');
    const start = this.i + 1;
    const end = s.indexOf(quote === QUOTE ? '"' : "'", start);
    if (end < 0) throw this.error('attribute value is not closed');
    this.i = end + 1;
    let plain = true;
    for (let p = start; p < end; p++) {
      const c = s.charCodeAt(p);
      if (c === LT) throw this.error("'<' is not allowed in an attribute value", p);
      if (c === AMP || c === TAB || c === LF || c === CR) plain = false;
    }
    if (plain) return s.slice(start, end);
    let out = '';
    let from = start;
    for (let p = start; p < end; p++) {
      const c = s.charCodeAt(p);
      if (c === TAB || c === LF || c === CR) {
        out += s.slice(from, p) + ' ';
        from = p + 1;
      } else if (c === AMP) {
        const semi = this.referenceEnd(p, end);
        out += s.slice(from, p) + this.reference(p, semi);
        from = semi + 1;
        p = semi;
      }
    }
    return out + s.slice(from, end);
  }

  // ---- names and namespaces ----

  /** A Name (production [5]); sets colonAt/colons. */
  private name(): void {
    const s = this.s;
    const start = this.i;
    let p = start;
    let colonAt = -1;
    let colons = 0;
    for (;;) {
      const c = s.charCodeAt(p);
      let width = 0;
      if (c < 128) {
        const bits = ASCII_NAME[c]!;
        if (bits & (p === start ? NAME_START : NAME_CHAR)) {
          width = 1;
          if (c === COLON) {
            if (colons++ === 0) colonAt = p;
          }
        }
      } else if (c >= 128) {
        if (p === start ? isNameStartBmp(c) : isNameCharBmp(c)) width = 1;
        else if (c >= 0xd800 && c <= 0xdb7f) {
          // [#x10000-#xEFFFF] as a surrogate pair
          const low = s.charCodeAt(p + 1);
          if (low >= 0xdc00 && low <= 0xdfff) width = 2;
        }
      }
      if (width === 0) break;
      p += width;
    }
    if (p === start) throw this.error('expected a name');
    this.i = p;
    this.colonAt = colonAt;
    this.colons = colons;
  }

  /** A QName (Namespaces 1.0 production [7]): NCName, or NCName ':' NCName. */
  private qname(at: number): void {
    const start = this.i;
    this.name();
    if (this.colons === 0) return;
    const colon = this.colonAt;
    if (this.colons > 1 || colon === start || colon === this.i - 1 || !this.startsNcName(colon + 1)) {
      throw this.error(`'${this.s.slice(start, this.i)}' is not a qualified name`, at);
    }
  }

  private startsNcName(p: number): boolean {
    const c = this.s.charCodeAt(p);
    if (c < 128) return c !== COLON && (ASCII_NAME[c]! & NAME_START) !== 0;
    return isNameStartBmp(c) || (c >= 0xd800 && c <= 0xdb7f);
  }

  /** Namespaces 1.0 section 3 constraints on a declaration. */
  private declare(prefix: string, uri: string, at: number): void {
    if (prefix === 'xmlns') throw this.error('the prefix xmlns must not be declared', at);
    if (prefix === 'xml') {
      if (uri !== NS.xml) throw this.error('the prefix xml must not be bound to another namespace', at);
    } else if (uri === NS.xml || uri === NS.xmlns) {
      throw this.error(`namespace ${uri} must not be declared with ${prefix ? 'a prefix' : 'xmlns'}`, at);
    } else if (prefix !== '' && uri === '') {
      throw this.error(`prefix ${prefix} cannot be undeclared in XML 1.0`, at);
    }
    const uris = this.bindings.get(prefix);
    if (uris) uris.push(uri);
    else this.bindings.set(prefix, [uri]);
  }

  private unbind(prefixes: readonly string[]): void {
    for (const prefix of prefixes) this.bindings.get(prefix)!.pop();
  }

  private lookup(prefix: string): string | undefined {
    const uris = this.bindings.get(prefix);
    return uris?.[uris.length - 1];
  }

  private resolve(prefix: string, at: number): string {
    if (prefix === 'xml') return NS.xml;
    const uri = this.lookup(prefix);
    if (uri === undefined) throw this.error(`namespace prefix ${prefix} is not declared`, at);
    return uri;
  }

  /** Unique Att Spec (WFC) and Namespaces 1.0 attribute uniqueness by expanded name. */
  private checkUnique(list: readonly Attr[], at: number): void {
    if (list.length > 16) {
      const seen = new Set<string>();
      for (const attr of list) {
        const key = `${attr.namespaceURI ?? ''} ${attr.namespaceURI === null ? attr.name : attr.localName}`;
        if (seen.has(key)) throw this.error(`attribute ${attr.name} is repeated`, at);
        seen.add(key);
      }
      return;
    }
    for (let a = 1; a < list.length; a++) {
      const x = list[a]!;
      for (let b = 0; b < a; b++) {
        const y = list[b]!;
        if (
          x.name === y.name ||
          (x.namespaceURI !== null && x.namespaceURI === y.namespaceURI && x.localName === y.localName)
        ) {
          throw this.error(`attribute ${x.name} is repeated`, at);
        }
      }
    }
  }

  // ---- helpers ----

  private skipSpace(): boolean {
    const s = this.s;
    const start = this.i;
    let p = start;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === SPACE || c === LF || c === TAB || c === CR) p++;
      else break;
    }
    this.i = p;
    return p > start;
  }

  private error(message: string, at = this.i): AsiceError {
    return malformed(message, at + this.offset);
  }
}

function indexOrEnd(s: string, needle: string, from: number): number {
  const at = s.indexOf(needle, from);
  return at < 0 ? s.length : at;
}

function malformed(message: string, at: number): AsiceError {
  // names in messages come from the document: keep a hostile 1 MB name out of logs
  const text = message.length > 200 ? `${message.slice(0, 200)}…` : message;
  return new AsiceError('XML_MALFORMED', `malformed XML: ${text} (at character ${at})`);
}
