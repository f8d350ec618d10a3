/**
 * riik's XML parser against @xmldom/xmldom (the parser asice used before, with every complaint
 * fatal): on every XML part of the DigiDoc corpus, on the test trusted list, on signatures riik
 * makes, and on hand-written documents exercising normalisation and namespaces, both parsers must
 * give the same tree and the same canonical form of every element under all six C14N algorithms.
 * Whatever xmldom rejects, riik must reject too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import { C14N, ZipReader, canonicalString, parseXml, type XmlDocument, type XmlNode } from '../src/index.js';
import { ELEMENT_NODE, isElement, type XmlElement } from '../src/xml/dom.js';
import { makeSigner, signFiles, textFile } from './helpers.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** asice's parseXml as it was with xmldom (the reference): the same pre-checks, every error fatal. */
function parseWithXmldom(input: Uint8Array): XmlDocument {
  if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) {
    throw new Error('UTF-16');
  }
  const text = utf8.decode(input);
  const declared = /^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) throw new Error('encoding');
  if (/<!DOCTYPE|<!ENTITY/.test(text)) throw new Error('DTD');
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      problems.push(`${level}: ${message}`);
    },
    locator: false,
    ...(/^<\?xml\s+version\s*=\s*["']1\.1["']/.test(text)
      ? {}
      : { normalizeLineEndings: (t: string) => t.replace(/\r\n?/g, '\n') }),
  }).parseFromString(text, 'text/xml');
  if (problems.length > 0) throw new Error(problems[0]);
  if (!doc.documentElement) throw new Error('no root');
  return doc;
}

type Outcome = { doc: XmlDocument } | { error: string };

function attempt(parse: (input: Uint8Array) => XmlDocument, input: Uint8Array): Outcome {
  try {
    return { doc: parse(input) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? (err as Error).message };
  }
}

/** A node's own identity: type, names, namespace, value, attributes. */
function describeNode(node: XmlNode): unknown {
  const out: Record<string, unknown> = {
    nodeType: node.nodeType,
    nodeName: node.nodeName,
    localName: node.localName,
    prefix: node.prefix,
    namespaceURI: node.namespaceURI,
    nodeValue: node.nodeValue,
  };
  if (isElement(node)) {
    const attrs: unknown[] = [];
    for (let i = 0; i < node.attributes.length; i++) {
      const a = node.attributes.item(i)!;
      attrs.push([a.name, a.prefix, a.localName, a.namespaceURI, a.value, a.nodeValue]);
    }
    out.attributes = attrs;
    out.tagName = node.tagName;
  }
  return out;
}

/**
 * Document children that are part of the infoset: xmldom also keeps the XML declaration as a
 * processing instruction and white space outside the root element as text, which XML does not.
 */
function documentChildren(doc: XmlDocument): XmlNode[] {
  const out: XmlNode[] = [];
  for (let child = doc.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 7 && child.nodeName === 'xml') continue;
    if (child.nodeType === 3) continue;
    out.push(child);
  }
  return out;
}

/** Both trees walked together, without recursion. */
function expectSameTree(ours: XmlDocument, theirs: XmlDocument, label: string): void {
  const a = documentChildren(ours);
  const b = documentChildren(theirs);
  expect(a.map(describeNode), `${label}: document children`).toEqual(b.map(describeNode));
  const pairs: Array<[XmlNode, XmlNode]> = a.map((node, i) => [node, b[i]!]);
  while (pairs.length > 0) {
    const [x, y] = pairs.shift()!;
    expect(describeNode(x), label).toEqual(describeNode(y));
    expect(x.textContent, `${label}: textContent`).toBe(y.textContent);
    let cx = x.firstChild;
    let cy = y.firstChild;
    for (; cx && cy; cx = cx.nextSibling, cy = cy.nextSibling) pairs.push([cx, cy]);
    expect(cx === null && cy === null, `${label}: same number of children of ${x.nodeName}`).toBe(true);
  }
  expect(ours.documentElement?.nodeName).toBe(theirs.documentElement?.nodeName);
}

function elementsOf(doc: XmlDocument): XmlElement[] {
  const out: XmlElement[] = [];
  const stack: XmlNode[] = [doc.documentElement!];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.nodeType !== ELEMENT_NODE) continue;
    out.push(node as XmlElement);
    for (let c = node.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return out;
}

function canonicalForms(el: XmlElement): string[] {
  return Object.values(C14N).map((algorithm) => {
    try {
      return canonicalString(el, { algorithm });
    } catch (err) {
      return `error ${(err as { code?: string }).code}`;
    }
  });
}

/** Same acceptance, same tree, same canonical form of every element; returns the number of elements. */
function expectSameAsXmldom(input: Uint8Array, label: string, everyElement = true): number {
  const ours = attempt((x) => parseXml(x), input);
  const theirs = attempt(parseWithXmldom, input);
  if ('error' in theirs) {
    expect('error' in ours, `${label}: xmldom rejects (${theirs.error}), riik must too`).toBe(true);
    return 0;
  }
  if ('error' in ours) throw new Error(`${label}: riik rejects (${ours.error}) what xmldom accepts`);
  expectSameTree(ours.doc, theirs.doc, label);
  const ourElements = elementsOf(ours.doc);
  const theirElements = elementsOf(theirs.doc);
  expect(ourElements.length).toBe(theirElements.length);
  // the C14N of a subtree depends on its ancestors (namespaces, inherited xml:*): checked for every element
  const step = everyElement ? 1 : Math.max(1, Math.floor(ourElements.length / 200));
  for (let i = 0; i < ourElements.length; i += step) {
    expect(canonicalForms(ourElements[i]!), `${label}: C14N of element ${i}`).toEqual(
      canonicalForms(theirElements[i]!),
    );
  }
  return ourElements.length;
}

async function xmlPartsOf(container: Buffer): Promise<Array<{ name: string; bytes: Buffer }>> {
  let reader: ZipReader;
  try {
    reader = await ZipReader.open(container);
  } catch {
    return []; // the corpus has deliberately broken ZIPs
  }
  try {
    const parts: Array<{ name: string; bytes: Buffer }> = [];
    for (const entry of reader.entries) {
      if (!/\.xml$/i.test(entry.name)) continue;
      try {
        parts.push({ name: entry.name, bytes: await reader.readBytes(entry, 8 * 1024 * 1024) });
      } catch {
        // an entry the ZIP layer refuses (bomb, bad CRC) is not XML input
      }
    }
    return parts;
  } finally {
    reader.close();
  }
}

describe('riik XML parser = xmldom', () => {
  it('on every XML part of every DigiDoc corpus container', async () => {
    const dir = join(testDataDir('digidoc'), 'containers');
    let parts = 0;
    let elements = 0;
    for (const file of readdirSync(dir).sort()) {
      for (const part of await xmlPartsOf(readFileSync(join(dir, file)))) {
        elements += expectSameAsXmldom(part.bytes, `${file}!${part.name}`);
        parts++;
      }
    }
    expect(parts).toBeGreaterThan(100);
    expect(elements).toBeGreaterThan(3000);
  });

  it('on the test trusted list', () => {
    const tsl = readFileSync(join(testDataDir('digidoc'), 'trust', 'EE_T.xml'));
    expect(expectSameAsXmldom(tsl, 'EE_T.xml', false)).toBeGreaterThan(1000);
  });

  it('on signatures riik makes (B and LT shaped, P-384 and RSA)', async () => {
    for (const algorithm of ['P-384', 'RSA'] as const) {
      const signer = await makeSigner('TAMM,MARI,38001085718', algorithm);
      const files = [textFile('a.txt', 'alpha'), textFile('õ ü.txt', 'beta\r\n')];
      for (const bLevel of [true, false]) {
        const xml = await signFiles(signer, files, { bLevel });
        expect(expectSameAsXmldom(xml, `${algorithm} ${bLevel ? 'B' : 'LT'}`)).toBeGreaterThan(10);
      }
    }
  });

  it('on documents exercising normalisation, namespaces and markup', () => {
    const documents = [
      '<r a="x\ty\r\nz" b="1&#13;2&#10;3&#9;4" c="&lt;&gt;&amp;&apos;&quot;">1\r\n2\r3\n\r\n</r>',
      '\ufeff<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<r/>\r\n',
      "<?xml version='1.0' encoding='utf-8'?><r>&#x10000;&#65;&#x41;</r>",
      '<r><![CDATA[<not markup> & ]] ]>]]>tail<![CDATA[]]></r>',
      '<!--before--><?pi before?><r><!-- in - side --><?target  data  with space ?><?empty?></r><!--after--><?pi after?>',
      '<r xmlns="urn:a"><s xmlns=""><t/></s><u/></r>',
      '<p:r xmlns:p="urn:p"><p:s xmlns:p="urn:q"><p:t p:a="1"/></p:s><p:u/></p:r>',
      '<r xmlns:a="urn:a" xmlns:b="urn:b" a:x="1" b:x="2" x="3"><a:s xmlns="urn:d" y="4"/></r>',
      '<r xml:lang="et" xml:space="preserve" xmlns:xml="http://www.w3.org/XML/1998/namespace"><s xml:lang="en"/></r>',
      '<r  a = "1"  b=\'2\'  ></r  >',
      '<ns:r xmlns:ns="urn:n" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:x ns:a="&#x20;&#xD;&#xA;"/></ns:r>',
      '<r>õäöü 😀 \u0085\u2028 &#x2028;</r>',
      '<r>a]b]]c]>d</r>',
      '<r>\n  <s>\n    text\n  </s>\n</r>',
      '<r a="&#60;&#x3C;&#38;"/>',
      '<é:ü xmlns:é="urn:é" é:ö="1">x</é:ü>',
      '<r>&amp;lt;</r>',
      '<?xml version="1.1"?><r a="1\u2028\u0085">x\u2028y\u0085z\r\n</r>',
      '<?xml version="1.0"?><r a="1\u2028\u0085">x\u2028y\u0085z\r\n</r>',
    ];
    for (const xml of documents) {
      const input = Buffer.from(xml, 'utf8');
      expect(
        attempt((x) => parseXml(x), input),
        xml,
      ).toHaveProperty('doc');
      expectSameAsXmldom(input, JSON.stringify(xml));
    }
  });
});
