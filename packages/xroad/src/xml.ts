import { DOMParser, onErrorStopParsing } from '@xmldom/xmldom';

// Characters XML 1.0 cannot carry at all (controls other than TAB/LF/CR, unpaired surrogates, U+FFFE/F).
/* eslint-disable no-control-regex -- matching control characters is the point */
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** Escapes text for element content or a quoted attribute; unrepresentable characters become U+FFFD. */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlDocument = ReturnType<DOMParser['parseFromString']>;
export type XmlElement = NonNullable<XmlDocument['documentElement']>;

/**
 * Parses a small XML document strictly: any well-formedness error stops parsing, and documents with a
 * DOCTYPE are refused outright (no legitimate X-Road message has one; refusing removes entity expansion).
 * Returns null for anything that is not such a document.
 */
export function parseXml(text: string): XmlDocument | null {
  if (/<!DOCTYPE/i.test(text)) return null;
  try {
    const doc = new DOMParser({ onError: onErrorStopParsing }).parseFromString(text, 'text/xml');
    return doc.documentElement ? doc : null;
  } catch {
    return null;
  }
}

/** The element children of `parent`, in order. */
export function childElements(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmlElement);
  return out;
}
