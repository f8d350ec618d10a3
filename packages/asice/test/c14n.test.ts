import { describe, expect, it } from 'vitest';
import type { XmlElement } from '../src/xml/dom.js';
import { C14N, canonicalString, parseXml } from '../src/index.js';

function element(xml: string, localName: string): XmlElement {
  const doc = parseXml(Buffer.from(xml, 'utf8'));
  const stack: XmlElement[] = [doc.documentElement!];
  while (stack.length) {
    const el = stack.pop()!;
    if (el.localName === localName) return el;
    for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) stack.push(c as XmlElement);
  }
  throw new Error(`no ${localName}`);
}

// Expected outputs derived by hand from the W3C rules (C14N 1.0 sections 2.3, 4.x; Exclusive
// C14N section 3); xmlsec1.test.ts checks the same implementation against libxml2.
const DOC =
  '<root xmlns="urn:default" xmlns:a="urn:a" xmlns:b="urn:b" xml:lang="et">' +
  '<a:child b:attr="1" attr2="&lt;&quot;" z="2" a:y="3"><!-- c --><grand xmlns:a="urn:a">text &amp; &gt; more</grand></a:child>' +
  '</root>';

describe('canonicalization of a subtree', () => {
  it('inclusive C14N renders the inherited namespace context and xml:* attributes on the apex', () => {
    const out = canonicalString(element(DOC, 'child'), { algorithm: C14N.c14n10 });
    expect(out).toBe(
      '<a:child xmlns="urn:default" xmlns:a="urn:a" xmlns:b="urn:b" attr2="&lt;&quot;" z="2" xml:lang="et" a:y="3" b:attr="1">' +
        '<grand>text &amp; &gt; more</grand></a:child>',
    );
    expect(canonicalString(element(DOC, 'child'), { algorithm: C14N.c14n11 })).toBe(out);
  });

  it('keeps comments only with the WithComments variants, and never for a bare-name reference', () => {
    const withComments = canonicalString(element(DOC, 'child'), { algorithm: C14N.c14n10WithComments });
    expect(withComments).toContain('<!-- c --><grand>');
    expect(canonicalString(element(DOC, 'child'), { algorithm: C14N.excWithComments })).toContain(
      '<!-- c -->',
    );
    expect(
      canonicalString(element(DOC, 'child'), { algorithm: C14N.c14n10WithComments, comments: false }),
    ).not.toContain('<!--');
  });

  it('exclusive C14N renders only visibly utilized namespaces and no inherited xml:* attributes', () => {
    expect(canonicalString(element(DOC, 'child'), { algorithm: C14N.exc })).toBe(
      '<a:child xmlns:a="urn:a" xmlns:b="urn:b" attr2="&lt;&quot;" z="2" a:y="3" b:attr="1">' +
        '<grand xmlns="urn:default">text &amp; &gt; more</grand></a:child>',
    );
  });

  it('exclusive C14N InclusiveNamespaces PrefixList treats listed prefixes inclusively', () => {
    expect(
      canonicalString(element(DOC, 'child'), { algorithm: C14N.exc, inclusivePrefixes: ['#default'] }),
    ).toBe(
      '<a:child xmlns="urn:default" xmlns:a="urn:a" xmlns:b="urn:b" attr2="&lt;&quot;" z="2" a:y="3" b:attr="1">' +
        '<grand>text &amp; &gt; more</grand></a:child>',
    );
    expect(() =>
      canonicalString(element(DOC, 'child'), { algorithm: C14N.c14n10, inclusivePrefixes: ['a'] }),
    ).toThrow(expect.objectContaining({ code: 'XML_UNSUPPORTED_C14N' }));
  });

  it('emits xmlns="" only to undo a rendered default namespace', () => {
    const doc = '<r xmlns="urn:x"><s xmlns=""><t/></s></r>';
    expect(canonicalString(element(doc, 's'), { algorithm: C14N.c14n10 })).toBe('<s><t></t></s>');
    expect(canonicalString(element(doc, 'r'), { algorithm: C14N.c14n10 })).toBe(
      '<r xmlns="urn:x"><s xmlns=""><t></t></s></r>',
    );
    expect(canonicalString(element(doc, 'r'), { algorithm: C14N.exc })).toBe(
      '<r xmlns="urn:x"><s xmlns=""><t></t></s></r>',
    );
  });

  it('escapes attribute and text content as the specification lists', () => {
    const doc = '<e a="x&#9;y&#10;z&#13;" b="tab\there">1 &lt; 2 &amp;&#13; 3 &gt; 2<![CDATA[ <x> & ]]></e>';
    expect(canonicalString(element(doc, 'e'), { algorithm: C14N.c14n10 })).toBe(
      '<e a="x&#x9;y&#xA;z&#xD;" b="tab here">1 &lt; 2 &amp;&#xD; 3 &gt; 2 &lt;x&gt; &amp; </e>',
    );
  });

  it('keeps processing instructions and writes empty elements as start-end pairs', () => {
    const doc = '<e><?pi  some data?><?empty?><f/></e>';
    expect(canonicalString(element(doc, 'e'), { algorithm: C14N.exc })).toBe(
      '<e><?pi some data?><?empty?><f></f></e>',
    );
  });

  it('orders attributes by namespace URI, then local name', () => {
    const doc = '<e xmlns:z="urn:a" xmlns:a="urn:z" a:x="1" z:x="2" b="3" a="4"/>';
    expect(canonicalString(element(doc, 'e'), { algorithm: C14N.exc })).toBe(
      '<e xmlns:a="urn:z" xmlns:z="urn:a" a="4" b="3" z:x="2" a:x="1"></e>',
    );
  });

  it('C14N 1.1 inherits xml:lang and xml:space but not xml:id, and refuses xml:base fix-up', () => {
    const doc = '<r xml:id="i" xml:space="preserve" xml:lang="en"><p xml:lang="et"><e/></p></r>';
    expect(canonicalString(element(doc, 'e'), { algorithm: C14N.c14n10 })).toBe(
      '<e xml:id="i" xml:lang="et" xml:space="preserve"></e>',
    );
    expect(canonicalString(element(doc, 'e'), { algorithm: C14N.c14n11 })).toBe(
      '<e xml:lang="et" xml:space="preserve"></e>',
    );
    const based = '<r xml:base="http://example.org/a/"><e/></r>';
    expect(canonicalString(element(based, 'e'), { algorithm: C14N.c14n10 })).toBe(
      '<e xml:base="http://example.org/a/"></e>',
    );
    expect(() => canonicalString(element(based, 'e'), { algorithm: C14N.c14n11 })).toThrow(
      expect.objectContaining({ code: 'XML_UNSUPPORTED_C14N' }),
    );
  });

  it('refuses algorithms it does not implement', () => {
    expect(() =>
      canonicalString(element('<e/>', 'e'), { algorithm: 'http://www.w3.org/2006/12/xml-c14n2' }),
    ).toThrow(expect.objectContaining({ code: 'XML_UNSUPPORTED_C14N' }));
  });
});

describe('canonicalization of hostile namespace context', () => {
  // 40,000 namespaces declared above a 20,000-element subtree: copying the in-scope bindings
  // for every element (as this canonicalizer once did) is 8e8 map entries, a hang for the
  // validator; the bindings are now shared until an element changes them.
  const declarations = Array.from({ length: 40_000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
  const leaves = '<p1:leaf a="1"/>'.repeat(20_000);
  const doc = `<root${declarations}><p0:signed xmlns:p2="urn:changed">${leaves}<leaf xmlns:p3="urn:p3"/></p0:signed></root>`;
  const signed = element(doc, 'signed');

  it('exclusive C14N renders only what each element uses', () => {
    const out = canonicalString(signed, { algorithm: C14N.exc });
    expect(out.startsWith('<p0:signed xmlns:p0="urn:p0"><p1:leaf xmlns:p1="urn:p1" a="1"></p1:leaf>')).toBe(
      true,
    );
    expect(out.endsWith('<leaf></leaf></p0:signed>')).toBe(true);
    expect(out.match(/xmlns/g)).toHaveLength(20_001);
  });

  it('exclusive C14N with a long InclusiveNamespaces list renders the listed prefixes on the apex only', () => {
    const listed = Array.from({ length: 40_000 }, (_, i) => `p${i}`);
    const out = canonicalString(signed, { algorithm: C14N.exc, inclusivePrefixes: listed });
    const apex = out.slice(0, out.indexOf('>') + 1);
    expect(apex.match(/xmlns:/g)).toHaveLength(40_000);
    expect(out.slice(apex.length)).not.toContain('xmlns');
  });

  it('inclusive C14N renders every namespace on the apex once, and below it only changes', () => {
    const out = canonicalString(signed, { algorithm: C14N.c14n10 });
    const apex = out.slice(0, out.indexOf('>') + 1);
    expect(apex.match(/xmlns:/g)).toHaveLength(40_000);
    expect(apex).toContain(' xmlns:p2="urn:changed"');
    expect(out.slice(apex.length)).not.toContain('xmlns');
  });
});
