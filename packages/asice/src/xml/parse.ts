import { DOMParser, type Document, type Node } from '@xmldom/xmldom';
import { AsiceError } from '../errors.js';

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
 * Parses outside XML safely: UTF-8 only, namespace-aware, every parser complaint fatal, and any
 * document type declaration refused outright. XAdES, XMLDSig and the OpenDocument manifest never
 * need a DTD; refusing it removes entity expansion (billion laughs) and external entities (XXE)
 * as a class, whatever the parser would otherwise do with them.
 */
export function parseXml(input: Uint8Array, limits: Partial<XmlLimits> = {}): Document {
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
  const declared = /^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) {
    throw new AsiceError(
      'XML_UNSUPPORTED_ENCODING',
      `XML declares encoding ${declared}; only UTF-8 is accepted`,
    );
  }
  if (/<!DOCTYPE|<!ENTITY/.test(text)) {
    throw new AsiceError('XML_FORBIDDEN_DTD', 'XML with a document type declaration is refused');
  }

  const problems: string[] = [];
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        problems.push(`${level}: ${message}`);
      },
      // no line and column numbers on every node: nothing reads them, and tracking them was a
      // tenth of the parse (the error messages are the same without)
      locator: false,
      // xmldom normalizes line ends as XML 1.1 does (NEL and LINE SEPARATOR too); in an XML 1.0
      // document those are ordinary characters that C14N keeps (libxml2 and Xerces do).
      ...(/^<\?xml\s+version\s*=\s*["']1\.1["']/.test(text) ? {} : { normalizeLineEndings: xml10LineEnds }),
    }).parseFromString(text, 'text/xml');
  } catch (cause) {
    throw new AsiceError('XML_MALFORMED', `malformed XML: ${firstLine(cause)}`, { cause });
  }
  if (problems.length > 0) throw new AsiceError('XML_MALFORMED', `malformed XML: ${problems[0]}`);
  if (doc.doctype)
    throw new AsiceError('XML_FORBIDDEN_DTD', 'XML with a document type declaration is refused');
  if (!doc.documentElement) throw new AsiceError('XML_MALFORMED', 'XML document has no root element');
  checkShape(doc, lim);
  return doc;
}

/** End-of-line handling of XML 1.0 (section 2.11): CR LF and lone CR become LF. */
function xml10LineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Depth and size, walked iteratively so a hostile document cannot exhaust the stack here. */
function checkShape(doc: Document, lim: XmlLimits): void {
  let nodes = 0;
  const stack: Array<{ node: Node; depth: number }> = [{ node: doc, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (++nodes > lim.maxNodes)
      throw new AsiceError('XML_TOO_LARGE', `XML has more than ${lim.maxNodes} nodes`);
    if (depth > lim.maxDepth) throw new AsiceError('XML_TOO_DEEP', `XML nests deeper than ${lim.maxDepth}`);
    for (let child = node.firstChild; child; child = child.nextSibling)
      stack.push({ node: child, depth: depth + 1 });
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
