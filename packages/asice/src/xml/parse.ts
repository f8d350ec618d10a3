import { AsiceError } from '../errors.js';
import type { XmlDocument } from './dom.js';
import { normalizeLineEnds, parseTree, readXmlDeclaration } from './parser.js';

/** Limits for XML read from outside (signature files, manifests). */
export interface XmlLimits {
  maxBytes: number;
  /** Element nesting; also bounds recursion in canonicalization. */
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 64,
  maxNodes: 1_000_000,
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses outside XML safely: UTF-8 only, namespace-aware, every well-formedness error fatal, and
 * any document type declaration refused outright. XAdES, XMLDSig and the OpenDocument manifest
 * never need a DTD; refusing it removes entity expansion (billion laughs) and external entities
 * (XXE) as a class. The parser is riik's own (parser.ts); depth and node limits are enforced while
 * it builds the tree.
 */
export function parseXml(input: Uint8Array, limits: Partial<XmlLimits> = {}): XmlDocument {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  if (input.byteLength > lim.maxBytes) {
    throw new AsiceError('XML_TOO_LARGE', `XML document is ${input.byteLength} bytes, limit ${lim.maxBytes}`);
  }
  if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) {
    throw new AsiceError('XML_UNSUPPORTED_ENCODING', 'UTF-16 XML is not accepted');
  }
  let text: string;
  try {
    text = utf8.decode(input); // strips a UTF-8 byte order mark
  } catch (cause) {
    throw new AsiceError('XML_UNSUPPORTED_ENCODING', 'XML document is not valid UTF-8', { cause });
  }
  const declaration = readXmlDeclaration(text);
  if (declaration.encoding !== undefined && !/^utf-?8$/i.test(declaration.encoding)) {
    throw new AsiceError(
      'XML_UNSUPPORTED_ENCODING',
      `XML declares encoding ${declaration.encoding}; only UTF-8 is accepted`,
    );
  }
  if (hasMarkupDeclaration(text)) {
    throw new AsiceError('XML_FORBIDDEN_DTD', 'XML with a document type declaration is refused');
  }
  const body = normalizeLineEnds(text.slice(declaration.length), declaration.version);
  return parseTree(body, lim, declaration.length);
}

/**
 * `<!DOCTYPE` or `<!ENTITY` anywhere, even where it would be inert (a comment, CDATA): such a
 * document is never ours to read. Searching for `<!` and looking behind each hit is ~10x faster
 * than String.includes of the whole word in a document full of `<`.
 */
function hasMarkupDeclaration(text: string): boolean {
  for (let at = text.indexOf('<!'); at >= 0; at = text.indexOf('<!', at + 2)) {
    if (text.startsWith('DOCTYPE', at + 2) || text.startsWith('ENTITY', at + 2)) return true;
  }
  return false;
}
