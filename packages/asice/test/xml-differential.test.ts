/**
 * riik's XML parser against @xmldom/xmldom (the parser asice used before, with every complaint
 * fatal): on every XML part of the DigiDoc corpus, on the test trusted list, on signatures riik
 * makes, and on hand-written documents exercising normalisation and namespaces, both parsers must
 * give the same tree and the same canonical form of every element under all six C14N algorithms.
 * Whatever xmldom rejects, riik must reject too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import { ZipReader, parseXml } from '../src/index.js';
import { makeSigner, signFiles, textFile } from './helpers.js';
import { attempt, expectSameAsXmldom } from './xmldom-reference.js';

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
    expect(expectSameAsXmldom(tsl, 'EE_T.xml', 200)).toBeGreaterThan(1000);
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
