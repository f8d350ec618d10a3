import { fromBase64 } from '@riik/core';
import type { HashAlgorithm } from '@riik/keys';
import { childElements, parseXml, type XmlElement } from '../xml.js';
import { digestOfUri } from './algorithms.js';
import { SignatureError } from './errors.js';

/*
 * Reading HashChain documents (X-Road's hashchain.xsd). Every message of a batch carries its own
 * chain and every security server it passes reads it, so this runs once per message and side. The
 * general XML parser costs ~80 µs per chain (xmldom compiles regular expressions for every end tag);
 * the chains riik writes itself have one fixed serialisation, which `scanHashChain` reads in a few µs.
 * Anything not in exactly that form — other prefixes, whitespace, comments, entities, a peer's own
 * serialisation — goes through the XML parser, and both readers end in the same checks.
 */

export const HASH_CHAIN_NS = 'http://cyber.ee/hashchain';
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Steps per chain and items per step riik reads: a chain over 2^32 inputs needs 32 steps. */
const MAX_STEPS = 64;
const MAX_ITEMS = 16;
export const MAX_HASH_CHAIN_XML_BYTES = 64 * 1024;

export type HashChainItem =
  | { kind: 'DataRef'; uri: string; hash: HashAlgorithm | null; value: Uint8Array | null }
  | { kind: 'StepRef'; uri: string; hash: HashAlgorithm | null }
  | { kind: 'HashValue'; hash: HashAlgorithm | null; value: Uint8Array };

export interface ParsedHashChain {
  defaultHash: HashAlgorithm | null;
  steps: Map<string, HashChainItem[]>;
}

export function malformed(message: string, cause?: unknown): SignatureError {
  return new SignatureError('MalformedHashChain', message, cause === undefined ? undefined : { cause });
}

function base64Value(text: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch (cause) {
    throw malformed('DigestValue is not base64', cause);
  }
}

/** The checks every chain passes, whichever reader read it. */
class ChainBuilder {
  defaultHash: HashAlgorithm | null = null;
  readonly steps = new Map<string, HashChainItem[]>();

  setDefault(uri: string | null): void {
    if (this.steps.size > 0 || this.defaultHash) throw malformed('misplaced DefaultDigestMethod');
    this.defaultHash = uri === null ? null : digestOfUri(uri);
  }

  addStep(id: string, items: HashChainItem[]): void {
    if (!id || this.steps.has(id)) throw malformed('hash step without a unique id');
    if (this.steps.size >= MAX_STEPS) throw malformed('too many hash steps');
    if (items.length === 0 || items.length > MAX_ITEMS)
      throw malformed('hash step with no or too many items');
    this.steps.set(id, items);
  }

  result(): ParsedHashChain {
    return { defaultHash: this.defaultHash, steps: this.steps };
  }
}

/** Read a HashChain document; throws MalformedHashChain (or UnsupportedAlgorithm). */
export function readHashChain(xml: string): ParsedHashChain {
  if (xml.length > MAX_HASH_CHAIN_XML_BYTES || Buffer.byteLength(xml) > MAX_HASH_CHAIN_XML_BYTES)
    throw malformed('hash chain too large');
  return scanHashChain(xml) ?? parseHashChainDom(xml);
}

// ---- riik's own serialisation ----------------------------------------------------------------

const OWN_START = `${XML_DECL}<hc:HashChain xmlns:hc="${HASH_CHAIN_NS}" xmlns:ds="${DS_NS}">`;
const OWN_END = '</hc:HashChain>';
// Attribute values and texts are limited to characters that XML reads as themselves (no `&`, `<`,
// quotes, white space or controls), so the scanned value is exactly what an XML parser would read.
const URI_CHARS = '[A-Za-z0-9#/._~:%+-]*';
const B64 = '[A-Za-z0-9+/]*={0,2}';
const DEFAULT_METHOD = new RegExp(`<hc:DefaultDigestMethod Algorithm="(${URI_CHARS})"/>`, 'y');
const STEP_START = /<hc:HashStep id="([A-Za-z0-9_.-]+)">/y;
const STEP_END = '</hc:HashStep>';
const DATA_REF = new RegExp(
  `<hc:DataRef URI="(${URI_CHARS})"><ds:DigestValue>(${B64})</ds:DigestValue></hc:DataRef>`,
  'y',
);
const HASH_VALUE = new RegExp(`<hc:HashValue><ds:DigestValue>(${B64})</ds:DigestValue></hc:HashValue>`, 'y');
const STEP_REF = new RegExp(`<hc:StepRef URI="(${URI_CHARS})"/>`, 'y');

/**
 * Read a chain in exactly the form `buildHashChains` writes it; null for any other text (which the
 * caller then parses as XML). Everything this accepts is well-formed XML, read the same as by the
 * parser.
 */
export function scanHashChain(xml: string): ParsedHashChain | null {
  if (!xml.startsWith(OWN_START) || !xml.endsWith(OWN_END)) return null;
  const end = xml.length - OWN_END.length;
  let at = OWN_START.length;
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    const m = re.exec(xml);
    if (m) at = re.lastIndex;
    return m;
  };
  // The whole text is matched first and checked after, so a text that is not in this form never
  // fails here with another error than the parser would give.
  const method = match(DEFAULT_METHOD);
  const steps: Array<{ id: string; items: HashChainItem[] }> = [];
  while (at < end) {
    const step = match(STEP_START);
    if (!step) return null;
    const items: HashChainItem[] = [];
    while (!xml.startsWith(STEP_END, at)) {
      let m: RegExpExecArray | null;
      if ((m = match(DATA_REF)))
        items.push({ kind: 'DataRef', uri: m[1]!, hash: null, value: base64Value(m[2]!) });
      else if ((m = match(HASH_VALUE)))
        items.push({ kind: 'HashValue', hash: null, value: base64Value(m[1]!) });
      else if ((m = match(STEP_REF))) items.push({ kind: 'StepRef', uri: m[1]!, hash: null });
      else return null;
    }
    at += STEP_END.length;
    steps.push({ id: step[1]!, items });
  }
  if (at !== end) return null;
  const chain = new ChainBuilder();
  if (method) chain.setDefault(method[1]!);
  for (const { id, items } of steps) chain.addStep(id, items);
  return chain.result();
}

const OWN_RESULT = new RegExp(
  `^${escapeRegExp(`${XML_DECL}<hc:HashChainResult xmlns:hc="${HASH_CHAIN_NS}" xmlns:ds="${DS_NS}" URI="`)}(${URI_CHARS})">` +
    `<ds:DigestMethod Algorithm="(${URI_CHARS})"/><ds:DigestValue>(${B64})</ds:DigestValue></hc:HashChainResult>$`,
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parsed HashChainResult: which step it points at and the digest that was signed/time-stamped. */
export interface HashChainResult {
  readonly uri: string;
  readonly hash: HashAlgorithm;
  readonly value: Uint8Array;
}

/** Read a HashChainResult document; throws MalformedHashChain (or UnsupportedAlgorithm). */
export function readHashChainResult(xml: string): HashChainResult {
  const own = OWN_RESULT.exec(xml);
  if (own) return { uri: own[1]!, hash: digestOfUri(own[2]!), value: base64Value(own[3]!) };
  const root = parseSmallXml(xml, 'hash chain result');
  if (root.namespaceURI !== HASH_CHAIN_NS || root.localName !== 'HashChainResult')
    throw malformed('not a HashChainResult');
  const hash = methodOf(dsChild(root, 'DigestMethod'));
  if (!hash) throw malformed('hash chain result without DigestMethod');
  return { uri: root.getAttribute('URI') ?? '', hash, value: valueOf(root) };
}

// ---- any serialisation -------------------------------------------------------------------------

export function dsChild(el: XmlElement, name: string): XmlElement | undefined {
  const found = childElements(el).filter((c) => c.namespaceURI === DS_NS && c.localName === name);
  if (found.length > 1) throw malformed(`repeated ${name}`);
  return found[0];
}

export function methodOf(el: XmlElement | undefined): HashAlgorithm | null {
  if (!el) return null;
  return digestOfUri(el.getAttribute('Algorithm') ?? '');
}

export function valueOf(el: XmlElement): Uint8Array {
  const v = dsChild(el, 'DigestValue');
  if (!v) throw malformed('missing DigestValue');
  return base64Value(v.textContent ?? '');
}

export function parseSmallXml(xml: string, what: string): XmlElement {
  if (Buffer.byteLength(xml) > MAX_HASH_CHAIN_XML_BYTES) throw malformed(`${what} too large`);
  const root = parseXml(xml)?.documentElement;
  if (!root) throw malformed(`${what} is not well-formed XML`);
  return root;
}

/** Read a HashChain document of any serialisation with the XML parser. */
export function parseHashChainDom(xml: string): ParsedHashChain {
  const root = parseSmallXml(xml, 'hash chain');
  if (root.namespaceURI !== HASH_CHAIN_NS || root.localName !== 'HashChain')
    throw malformed('not a HashChain');
  const chain = new ChainBuilder();
  for (const el of childElements(root)) {
    if (el.namespaceURI !== HASH_CHAIN_NS) throw malformed(`unexpected element ${el.tagName}`);
    if (el.localName === 'DefaultDigestMethod') {
      chain.setDefault(el.getAttribute('Algorithm') ?? '');
      continue;
    }
    if (el.localName !== 'HashStep') throw malformed(`unexpected element ${el.tagName}`);
    const id = el.getAttribute('id') ?? '';
    const children = childElements(el);
    if (children.length > MAX_ITEMS) throw malformed('hash step with no or too many items');
    const items: HashChainItem[] = children.map((item): HashChainItem => {
      if (item.namespaceURI !== HASH_CHAIN_NS) throw malformed(`unexpected element ${item.tagName}`);
      const hash = methodOf(dsChild(item, 'DigestMethod'));
      if (dsChild(item, 'Transforms')) throw malformed('transforms in hash chains are not supported');
      switch (item.localName) {
        case 'DataRef':
          return {
            kind: 'DataRef',
            uri: item.getAttribute('URI') ?? '',
            hash,
            value: dsChild(item, 'DigestValue') ? valueOf(item) : null,
          };
        case 'StepRef':
          return { kind: 'StepRef', uri: item.getAttribute('URI') ?? '', hash };
        case 'HashValue':
          return { kind: 'HashValue', hash, value: valueOf(item) };
        default:
          throw malformed(`unexpected element ${item.tagName}`);
      }
    });
    chain.addStep(id, items);
  }
  return chain.result();
}
