import { describe, expect, it } from 'vitest';
import { C14N, canonicalString, parseXml } from '../src/index.js';
import { decodeBase64Strict } from '../src/xml/base64.js';

function codeOf(xml: string | Buffer, limits = {}): string {
  try {
    parseXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, limits);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'accepted';
}

describe('safe XML parsing', () => {
  it('refuses any document type declaration: XXE, billion laughs, plain DTDs', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    expect(codeOf(xxe)).toBe('XML_FORBIDDEN_DTD');
    expect(codeOf(laughs)).toBe('XML_FORBIDDEN_DTD');
    expect(codeOf('<!DOCTYPE r SYSTEM "http://example.org/r.dtd"><r/>')).toBe('XML_FORBIDDEN_DTD');
    expect(codeOf('<!DOCTYPE r><r/>')).toBe('XML_FORBIDDEN_DTD');
  });

  it('refuses undeclared entities instead of keeping them as text', () => {
    expect(codeOf('<r>&nbsp;</r>')).toBe('XML_MALFORMED');
    expect(codeOf('<r a="&x;"/>')).toBe('XML_MALFORMED');
  });

  it('refuses malformed documents', () => {
    for (const bad of [
      '',
      '<r>',
      '<r></s>',
      '<r a="1" a="2"/>',
      '<p:r/>',
      '<r/><s/>',
      '<r/>trailing',
      'just text',
    ]) {
      expect(codeOf(bad), bad).toBe('XML_MALFORMED');
    }
  });

  it('accepts UTF-8 only', () => {
    expect(codeOf(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('<r>õ</r>')]))).toBe('accepted');
    expect(codeOf(Buffer.from([0x3c, 0x72, 0x3e, 0xff, 0x3c, 0x2f, 0x72, 0x3e]))).toBe(
      'XML_UNSUPPORTED_ENCODING',
    );
    expect(codeOf(Buffer.from('\ufeff<r/>', 'utf16le'))).toBe('XML_UNSUPPORTED_ENCODING');
    expect(codeOf('<?xml version="1.0" encoding="ISO-8859-1"?><r/>')).toBe('XML_UNSUPPORTED_ENCODING');
    expect(codeOf('<?xml version="1.0" encoding="utf-8"?><r/>')).toBe('accepted');
  });

  it('enforces size, depth and node limits', () => {
    expect(codeOf('<r>' + 'x'.repeat(2000) + '</r>', { maxBytes: 1000 })).toBe('XML_TOO_LARGE');
    const deep = '<a>'.repeat(100) + '</a>'.repeat(100);
    expect(codeOf(deep)).toBe('XML_TOO_DEEP');
    expect(codeOf(deep, { maxDepth: 200 })).toBe('accepted');
    expect(codeOf('<r>' + '<a/>'.repeat(50) + '</r>', { maxNodes: 20 })).toBe('XML_TOO_LARGE');
  });

  it('normalizes attribute whitespace and line ends as XML 1.0 requires (C14N depends on it)', () => {
    const doc = parseXml(Buffer.from('<r a="x\ty\r\nz">1\r\n2\r3</r>'));
    expect(doc.documentElement!.getAttribute('a')).toBe('x y z');
    expect(doc.documentElement!.textContent).toBe('1\n2\n3');
    // NEL and LINE SEPARATOR are line ends only in XML 1.1; C14N keeps them in XML 1.0 (as
    // xmllint --c14n does), and a digest over SignedProperties holding one depends on it.
    const text = '<r a="1\u2028\u0085">x\u2028y\u0085z\r\n</r>';
    const xml10 = parseXml(Buffer.from(text)).documentElement!;
    expect(canonicalString(xml10, { algorithm: C14N.c14n10 })).toBe(text.replace('\r\n', '\n'));
    const xml11 = parseXml(Buffer.from(`<?xml version="1.1"?>${text}`)).documentElement!;
    expect(xml11.textContent).toBe('x\ny\nz\n');
  });
});

describe('decodeBase64Strict (xs:base64Binary)', () => {
  it('decodes with whitespace between characters and the two padding forms', () => {
    expect(Buffer.from(decodeBase64Strict('TWFu')!).toString()).toBe('Man');
    expect(Buffer.from(decodeBase64Strict('TWE=')!).toString()).toBe('Ma');
    expect(Buffer.from(decodeBase64Strict('TQ==')!).toString()).toBe('M');
    expect(Buffer.from(decodeBase64Strict(' TW\r\nFu\tTQ==\n')!).toString()).toBe('ManM');
    expect(decodeBase64Strict('')).toEqual(new Uint8Array());
  });

  it('refuses characters outside the alphabet, misplaced padding and partial groups', () => {
    for (const bad of ['TWF', 'TW=u', '=TWF', 'TQ===', '====', 'T===', 'TWFu!', 'TW-_', 'TWE=TWE=', 'TW E']) {
      expect(decodeBase64Strict(bad), bad).toBeUndefined();
    }
  });

  it('hands out an array of its own, not a view of a shared buffer', () => {
    const out = decodeBase64Strict('TWFu')!;
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(3);
  });
});
