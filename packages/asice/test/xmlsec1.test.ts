/**
 * Interop with xmlsec1 (libxmlsec1 + libxml2, installed by the test command): signatures this
 * package produces must verify there, tampered ones must not, and this package's canonicalization
 * must produce the octets libxml2 produces for every algorithm on a document full of the awkward
 * cases (inherited namespaces, xml:lang, comments, PIs, CDATA, redundant declarations).
 */
import { execFile } from 'node:child_process';
import { createHash, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XmlElement } from '../src/xml/dom.js';
import { tempDir } from '@riik/testing';
import { C14N, canonicalize, parseXml } from '../src/index.js';
import { makeSigner, signFiles, textFile, type TestSigner } from './helpers.js';

const run = promisify(execFile);
const SP_ID_ATTR = ['--id-attr:Id', 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties'];

async function xmlsec1(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('xmlsec1', args, { cwd });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('xmlsec1 is not installed (Debian package xmlsec1; scripts/test-all.sh installs it)');
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

let dir: { path: string; remove: () => void };
let signer: TestSigner;

beforeAll(async () => {
  dir = tempDir('riik-xmlsec1-');
  signer = await makeSigner();
  writeFileSync(join(dir.path, 'signer.pem'), signer.pem);
});
afterAll(() => dir.remove());

describe('xmlsec1 verifies what riik signs', () => {
  const files = [
    textFile('test.txt', 'Tere maailm!\n'),
    textFile('Faili nimi + õ & 100%.txt', 'special characters in the name'),
  ];

  async function writeCase(name: string, signature: Buffer, data = files): Promise<string> {
    const caseDir = join(dir.path, name);
    mkdirSync(caseDir);
    for (const f of data) writeFileSync(join(caseDir, f.name), f.content as Uint8Array);
    writeFileSync(join(caseDir, 'signatures0.xml'), signature);
    return caseDir;
  }

  const verifyArgs = [
    '--verify',
    ...SP_ID_ATTR,
    '--pubkey-cert-pem',
    '../signer.pem',
    '--trusted-pem',
    '../signer.pem',
  ];

  it('verifies a XAdES signature over detached files, SignedProperties by Id', async () => {
    const caseDir = await writeCase('good', await signFiles(signer, files));
    const result = await xmlsec1([...verifyArgs, 'signatures0.xml'], caseDir);
    expect(result.output).toContain('SignedInfo References (ok/all): 3/3');
    expect(result.ok).toBe(true);
  });

  it('refuses it once a data file or a signed property changes', async () => {
    const data = [textFile('test.txt', 'Tere maailm?\n'), files[1]!];
    const changedData = await writeCase('data', await signFiles(signer, files), data);
    expect((await xmlsec1([...verifyArgs, 'signatures0.xml'], changedData)).ok).toBe(false);
    const signature = (await signFiles(signer, files))
      .toString()
      .replace('2026-01-15T10:00:00Z', '2026-01-15T10:00:01Z');
    const changedProperty = await writeCase('property', Buffer.from(signature));
    expect((await xmlsec1([...verifyArgs, 'signatures0.xml'], changedProperty)).ok).toBe(false);
  });
});

describe('canonicalization agrees with libxml2 (through xmlsec1)', () => {
  const ALGORITHMS = Object.values(C14N);
  const DOC = (siC14n: string, refTransform: string, digest: string, value: string): string =>
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<root xmlns="urn:default" xmlns:a="urn:a" xmlns:unused="urn:unused" xml:lang="et">\n' +
    '  <!-- a comment outside -->\n' +
    '  <a:target Id="T" z="1" a:b="2" attr="&lt;&quot;&#9;&#10;&#13;" xml:space="preserve">text &amp; more &gt; &#13;' +
    '<!-- inner comment --><?pi  some data?>\n' +
    '    <inner xmlns:a="urn:a" xmlns:b="urn:b" b:x="y"><![CDATA[<cdata> & ]]><empty/></inner>\n' +
    '  </a:target>\n' +
    '  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n' +
    '    <ds:SignedInfo><!-- comment in SignedInfo -->\n' +
    `      <ds:CanonicalizationMethod Algorithm="${siC14n}"/>\n` +
    '      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"/>\n' +
    `      <ds:Reference URI="#T"><ds:Transforms>${refTransform}</ds:Transforms>` +
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>\n` +
    '    </ds:SignedInfo>\n' +
    `    <ds:SignatureValue>${value}</ds:SignatureValue>\n` +
    '  </ds:Signature>\n' +
    '</root>\n';

  function find(xml: string, localName: string): XmlElement {
    const stack: XmlElement[] = [parseXml(Buffer.from(xml)).documentElement!];
    while (stack.length) {
      const el = stack.pop()!;
      if (el.localName === localName) return el;
      for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) stack.push(c as XmlElement);
    }
    throw new Error(localName);
  }

  const cases: Array<[string, string, readonly string[] | undefined]> = [];
  for (const si of ALGORITHMS) for (const ref of ALGORITHMS) cases.push([si, ref, undefined]);
  cases.push([C14N.exc, C14N.exc, ['#default', 'unused']]);
  cases.push([C14N.excWithComments, C14N.exc, ['a']]);

  it.each(cases)('SignedInfo %s, reference %s, InclusiveNamespaces %j', async (si, ref, prefixes) => {
    const transform = prefixes
      ? `<ds:Transform Algorithm="${ref}"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${prefixes.join(' ')}"/></ds:Transform>`
      : `<ds:Transform Algorithm="${ref}"/>`;
    const draft = DOC(si, transform, '', '');
    const referenced = canonicalize(find(draft, 'target'), {
      algorithm: ref,
      ...(prefixes ? { inclusivePrefixes: prefixes } : {}),
      comments: false, // a bare-name #id reference never includes comments
    });
    const withDigest = DOC(si, transform, createHash('sha256').update(referenced).digest('base64'), '');
    const signedInfo = canonicalize(find(withDigest, 'SignedInfo'), { algorithm: si });
    const value = sign('sha384', signedInfo, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }).toString(
      'base64',
    );
    const name = `c14n-${cases.findIndex((c) => c[0] === si && c[1] === ref && c[2] === prefixes)}.xml`;
    writeFileSync(
      join(dir.path, name),
      DOC(si, transform, createHash('sha256').update(referenced).digest('base64'), value),
    );
    const result = await xmlsec1(
      ['--verify', '--id-attr:Id', 'urn:a:target', '--pubkey-cert-pem', 'signer.pem', name],
      dir.path,
    );
    expect(result.output).toContain('SignedInfo References (ok/all): 1/1');
    expect(result.ok).toBe(true);
  });
});
