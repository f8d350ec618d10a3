/**
 * asice's parseXml as it was with @xmldom/xmldom, kept as the reference the differential tests
 * compare riik's parser with: same acceptance, same tree, same canonical forms.
 */
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'vitest';
import { C14N, canonicalString, parseXml, type XmlDocument, type XmlNode } from '../src/index.js';
import { ELEMENT_NODE, isElement, type XmlElement } from '../src/xml/dom.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** asice's parseXml as it was with xmldom (the reference): the same pre-checks, every error fatal. */
export function parseWithXmldom(input: Uint8Array): XmlDocument {
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

export function attempt(parse: (input: Uint8Array) => XmlDocument, input: Uint8Array): Outcome {
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

/**
 * Same acceptance, same tree, and the same canonical form of every element (or of `sample` elements
 * spread over the document); returns the number of elements.
 */
export function expectSameAsXmldom(input: Uint8Array, label: string, sample = Infinity): number {
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
  const step = Math.max(1, Math.floor(ourElements.length / sample));
  for (let i = 0; i < ourElements.length; i += step) {
    expect(canonicalForms(ourElements[i]!), `${label}: C14N of element ${i}`).toEqual(
      canonicalForms(theirElements[i]!),
    );
  }
  return ourElements.length;
}
