import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import { CertificateAuthority, rootCaProfile, spkiOf, xroadSignProfile } from '@riik/pki';
import { runTool } from '@riik/testing';
import {
  buildHashChains,
  buildSignatureXml,
  excC14n,
  hashStep,
  MessageFileNames,
  signMessages,
  verifyHashChain,
  verifyMessageSignature,
  verifySignatureXml,
} from '../src/index.js';
import {
  parseHashChainDom,
  readHashChain,
  readHashChainResult,
  scanHashChain,
} from '../src/signature/hash-chain-xml.js';
import { digestList } from '../src/signature/hash-chain.js';
import { parseXml } from '../src/xml.js';
import { expectCode } from './helpers.js';
import { createOrgPki, type MemberKeys, type OrgPki } from './org-pki.js';

const sha512 = (b: string | Uint8Array) => new Uint8Array(createHash('sha512').update(b).digest());

let pki: OrgPki;
let member: MemberKeys;
let ocsp: Uint8Array;
let dir: string;

beforeAll(async () => {
  pki = await createOrgPki();
  member = await pki.member('70000562');
  ocsp = await pki.ocsp(member.sign);
  dir = mkdtempSync(join(tmpdir(), 'riik-xroad-sig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = () => ({ signer: member.signKey, certificate: member.sign, ocspResponses: [ocsp] });

describe('exclusive XML canonicalization', () => {
  // Whole documents, so xmllint --exc-c14n (libxml2's independent implementation) is the oracle.
  const docs = [
    '<a xmlns="urn:a" b="2" a="1"><b:c xmlns:b="urn:b" xmlns:unused="urn:u">t&amp;&lt;&gt;"\'</b:c><d/></a>',
    '<x:root xmlns:x="urn:x" xmlns:y="urn:y"><x:a y:attr="v&#9;&#10;&#13;"/><y:b><y:c xmlns:y="urn:y">same</y:c></y:b></x:root>',
    '<r xmlns:p="urn:p"><p:a xmlns:p="urn:other"><p:b/></p:a><q xmlns="urn:d"><e xmlns=""/></q></r>',
    '<r><![CDATA[a < b & c]]><?pi kept?>\r\ntext</r>',
    '<r xmlns:a="urn:1" xmlns:b="urn:2"><e b:z="1" a:z="2" z="3" a:y="4"/></r>',
  ];
  for (const [i, xml] of docs.entries()) {
    it(`matches xmllint on document ${i + 1}`, async () => {
      const file = join(dir, `c14n-${i}.xml`);
      writeFileSync(file, xml);
      const ref = await runTool('xmllint', ['--exc-c14n', file]);
      expect(ref.status).toBe(0);
      const ours = Buffer.from(excC14n(parseXml(xml)!.documentElement!)).toString('utf8');
      expect(ours).toBe(ref.out);
    });
  }

  it('drops comments', () => {
    const doc = parseXml('<r>a<!-- c -->b</r>')!;
    expect(Buffer.from(excC14n(doc.documentElement!)).toString()).toBe('<r>ab</r>');
  });

  it('renders namespaces from outside the subtree that the subtree uses', () => {
    const doc = parseXml('<o xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><a:i b:x="1"><c/></a:i></o>')!;
    const inner = doc.documentElement!.firstChild as never;
    expect(Buffer.from(excC14n(inner)).toString()).toBe(
      '<a:i xmlns:a="urn:a" xmlns:b="urn:b" b:x="1"><c xmlns="urn:d"></c></a:i>',
    );
  });
});

describe('XAdES message signature (signature/bdoc-1.0/ts)', () => {
  const message = sha512('GET\r\n/r1/x\r\n');

  it('signs and verifies a single message', async () => {
    const [data] = await signMessages(
      key(),
      [{ message, attachments: [] }],
      new Date('2026-01-15T10:00:00Z'),
    );
    expect(data!.hashChain).toBeUndefined();
    const verified = verifyMessageSignature(data!, { message, attachments: [] });
    expect(verified.certificate.equals(member.sign)).toBe(true);
    expect(verified.ocspResponses).toHaveLength(1);
    expect(Buffer.from(verified.ocspResponses[0]!).equals(Buffer.from(ocsp))).toBe(true);
    expect(verified.reference.uri).toBe(MessageFileNames.message);
    expect(verified.signingTime.toISOString()).toBe('2026-01-15T10:00:00.000Z');
  });

  it('is accepted by xmlsec1 (an independent XML-DSig implementation)', async () => {
    const data = Buffer.from('the REST header part');
    const xml = await buildSignatureXml({
      ...key(),
      reference: { uri: MessageFileNames.message, digestAlgorithm: 'SHA-512', digest: sha512(data) },
      mimeType: 'text/xml',
      signingTime: new Date(),
    });
    writeFileSync(join(dir, 'sig.xml'), xml);
    writeFileSync(join(dir, 'message.xml'), data);
    const args = [
      '--verify',
      '--insecure',
      '--enabled-reference-uris',
      'empty,same-doc,local,remote',
      '--id-attr:Id',
      'SignedProperties',
      '--url-map:/message.xml',
      join(dir, 'message.xml'),
      join(dir, 'sig.xml'),
    ];
    const ok = await runTool('xmlsec1', args);
    expect(ok.out).toContain('OK');
    expect(ok.status).toBe(0);
    writeFileSync(join(dir, 'message.xml'), 'tampered');
    const bad = await runTool('xmlsec1', args);
    expect(bad.status).not.toBe(0);
  });

  it('makes the same canonical forms from its templates as from parsing, whatever the names hold', async () => {
    // Signing canonicalizes SignedProperties and SignedInfo from cached templates; the verifier parses
    // and canonicalizes the document itself, so any difference fails verification. The issuer names
    // hold characters that escaping and canonicalization treat differently, and the template marker.
    for (const commonName of ['A&B <"\'> CA', 'TEST \u2060riik-mark-0\u2060 CA']) {
      const ca = await CertificateAuthority.createRoot(
        rootCaProfile({ commonName, organisation: 'riik "test" & <co>' }),
        new SoftwareSigner(generatePrivateKey('EC-P256')),
      );
      const signKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
      const cert = await ca.issue(
        xroadSignProfile({ name: 'Org 70000001', memberCode: '70000001' }),
        spkiOf(signKey.publicKey),
      );
      const k = { signer: signKey, certificate: cert, ocspResponses: [] };
      for (const [i, when] of ['2026-01-15T10:00:00Z', '2026-01-15T10:00:01.5Z'].entries()) {
        const messages = [
          { message: sha512(`m${i}`), attachments: [] },
          { message: sha512(`n${i}`), attachments: [sha512('body')] },
        ];
        const single = await signMessages(k, messages.slice(0, 1), new Date(when));
        const batch = await signMessages(k, messages, new Date(when));
        for (const [j, data] of [...single, ...batch].entries()) {
          const verified = verifyMessageSignature(data, messages[Math.max(0, j - 1)]!);
          expect(verified.signingTime.toISOString()).toBe(new Date(when).toISOString());
          expect(verified.certificate.equals(cert)).toBe(true);
        }
      }
    }
  });

  it("verifies riik's own signatures without the XML parser, with the parser's result", async () => {
    const ocsp2 = await pki.ocsp(member.sign, 'good', new Date('2026-01-15T09:00:00Z'));
    for (const ocspResponses of [[], [ocsp], [ocsp, ocsp2]]) {
      for (const messages of [
        [{ message, attachments: [] }],
        [{ message, attachments: [sha512('body')] }],
        [0, 1, 2].map((i) => ({ message: sha512(`m${i}`), attachments: [] })),
      ]) {
        const [data] = await signMessages(
          { ...key(), ocspResponses },
          messages,
          new Date('2026-01-15T10:00:01.5Z'),
        );
        const xml = data!.signatureXml;
        // The same document in another serialisation (a blank line after the XML declaration) is
        // verified by parsing and canonicalizing it.
        const parsed = verifySignatureXml(xml.replace('?>\n', '?>\n\n'));
        expect(verifySignatureXml(xml)).toEqual(parsed);
        expect(parsed.ocspResponses.map((o) => Buffer.from(o).toString('hex'))).toEqual(
          ocspResponses.map((o) => Buffer.from(o).toString('hex')),
        );
      }
    }
  });

  it('gives the same errors for changed signatures in its own form', async () => {
    const [data] = await signMessages(
      key(),
      [{ message, attachments: [] }],
      new Date('2026-01-15T10:00:00Z'),
    );
    const xml = data!.signatureXml;
    const value = /<ds:SignatureValue Id="SIG-VALUE">([^<]+)</.exec(xml)![1]!;
    const flipped = (b64: string) =>
      b64[5] === 'A' ? `${b64.slice(0, 5)}B${b64.slice(6)}` : `${b64.slice(0, 5)}A${b64.slice(6)}`;
    const cases: Array<[string, string]> = [
      [xml.replace(value, flipped(value)), 'InvalidSignatureValue'],
      [xml.replace('2026-01-15T10:00:00.000Z', '2026-01-15T10:00:01.000Z'), 'InvalidReference'],
      [xml.replace('<xades:MimeType>text/xml', '<xades:MimeType>text/plain'), 'InvalidReference'],
      [xml.replace('URI="/message.xml"', 'URI="/other.xml"'), 'InvalidReference'],
      [xml.replace('xmldsig-more#ecdsa-sha256', 'xmldsig-more#ecdsa-md5'), 'UnsupportedAlgorithm'],
      [xml.replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>AAAA'), 'IncorrectCertificate'],
      [xml.replace('</ds:SignedInfo>', '</ds:SignedInfo></ds:SignedInfo>'), 'MalformedSignature'],
    ];
    for (const [bad, code] of cases) expectCode(() => verifySignatureXml(bad), code);
    // Many candidate delimiters do not make the reading slow.
    const hostile = xml.replace('</ds:SignedInfo>', '</ds:SignedInfo>'.repeat(10_000));
    expectCode(() => verifySignatureXml(hostile), 'MalformedSignature');
  });

  it('detects a changed message, a changed signature value and changed signed properties', async () => {
    const [data] = await signMessages(key(), [{ message, attachments: [] }], new Date());
    expectCode(
      () => verifyMessageSignature(data!, { message: sha512('other'), attachments: [] }),
      'InvalidReference',
    );
    const xml = data!.signatureXml;
    const value = /<ds:SignatureValue Id="SIG-VALUE">([^<]+)</.exec(xml)![1]!;
    const flipped = Buffer.from(value, 'base64');
    flipped[5]! ^= 1;
    expectCode(
      () => verifySignatureXml(xml.replace(value, flipped.toString('base64'))),
      'InvalidSignatureValue',
    );
    expectCode(
      () =>
        verifySignatureXml(
          xml.replace(/<xades:SigningTime>[^<]+/, '<xades:SigningTime>2000-01-01T00:00:00.000Z'),
        ),
      'InvalidReference',
    );
  });

  it('refuses a signature whose SignedProperties were wrapped or duplicated', async () => {
    const [data] = await signMessages(key(), [{ message, attachments: [] }], new Date());
    const xml = data!.signatureXml;
    const sp = /<xades:SignedProperties[\s\S]*<\/xades:SignedProperties>/.exec(xml)![0];
    // A second element carrying the same Id (signature wrapping) must not be silently chosen.
    const wrapped = xml.replace('</ds:Object>', `</ds:Object><ds:Object>${sp}</ds:Object>`);
    expect(() => verifySignatureXml(wrapped)).toThrow();
  });

  it('refuses a signing certificate other than the one SigningCertificate names', async () => {
    const other = await pki.member('70000349');
    const [data] = await signMessages(key(), [{ message, attachments: [] }], new Date());
    const swapped = data!.signatureXml.replace(
      /<ds:X509Certificate>[^<]+/,
      `<ds:X509Certificate>${Buffer.from(other.sign.der).toString('base64')}`,
    );
    expect(() => verifySignatureXml(swapped)).toThrow(); // the value no longer verifies with that key
  });

  it('answers hostile input with coded errors', () => {
    for (const input of [
      '',
      'garbage',
      '<a/>',
      '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
      '<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>',
      `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">${'<x/>'.repeat(100_000)}</asic:XAdESSignatures>`,
    ]) {
      expectCode(() => verifySignatureXml(input), 'MalformedSignature');
    }
  });
});

describe('hash chains (batch signatures)', () => {
  const inputs = (n: number, withBody = false) =>
    Array.from({ length: n }, (_, i) => ({
      parts: withBody ? [sha512(`m${i}`), sha512(`b${i}`)] : [sha512(`m${i}`)],
    }));
  const opts = { hash: 'SHA-512' as const, chainFile: '/sig-hashchain.xml', dataFile: '/message.xml' };

  for (const n of [1, 2, 3, 5, 8, 13]) {
    it(`every chain of a ${n}-input tree leads to the result`, () => {
      const withBody = n === 1 || n === 5;
      const ins = inputs(n, withBody);
      const built = buildHashChains(ins, opts);
      built.chains.forEach((chain, i) => {
        const map = new Map([['/message.xml', { hash: 'SHA-512' as const, value: ins[i]!.parts[0]! }]]);
        if (withBody) map.set('/attachment1', { hash: 'SHA-512' as const, value: ins[i]!.parts[1]! });
        const result = verifyHashChain(built.resultXml, chain, '/sig-hashchain.xml', map);
        expect(Buffer.from(result.value).equals(Buffer.from(built.top))).toBe(true);
      });
    });
  }

  it('the top of two inputs is the digest of their DigestList', () => {
    const [a, b] = [sha512('a'), sha512('b')];
    const built = buildHashChains([{ parts: [a] }, { parts: [b] }], opts);
    expect(Buffer.from(built.top).equals(Buffer.from(hashStep('SHA-512', a, b)))).toBe(true);
  });

  it('detects another input, an unreferenced input and a forged result', () => {
    const ins = inputs(4);
    const built = buildHashChains(ins, opts);
    const chain = built.chains[2]!;
    const input = (v: Uint8Array) => new Map([['/message.xml', { hash: 'SHA-512' as const, value: v }]]);
    expectCode(
      () => verifyHashChain(built.resultXml, chain, '/sig-hashchain.xml', input(sha512('x'))),
      'InvalidHashChainRef',
    );
    const extra = input(ins[2]!.parts[0]!);
    extra.set('/attachment1', { hash: 'SHA-512', value: sha512('y') });
    expectCode(
      () => verifyHashChain(built.resultXml, chain, '/sig-hashchain.xml', extra),
      'HashChainUnusedInputs',
    );
    const forged = built.resultXml.replace(
      /<ds:DigestValue>[^<]+/,
      `<ds:DigestValue>${Buffer.from(sha512('z')).toString('base64')}`,
    );
    expectCode(
      () => verifyHashChain(forged, chain, '/sig-hashchain.xml', input(ins[2]!.parts[0]!)),
      'InvalidHashChain',
    );
  });

  it('refuses malformed and cyclic chains', () => {
    const built = buildHashChains(inputs(2), opts);
    const v = new Map([['/message.xml', { hash: 'SHA-512' as const, value: sha512('m0') }]]);
    const cyclic = built.chains[0]!.replace(
      '<hc:DataRef URI="/message.xml">',
      '<hc:StepRef URI="#STEP0"/><hc:DataRef URI="/message.xml">',
    );
    expectCode(() => verifyHashChain(built.resultXml, cyclic, '/sig-hashchain.xml', v), 'MalformedHashChain');
    for (const bad of ['', '<x/>', 'not xml', built.chains[0]!.slice(0, 100)])
      expectCode(() => verifyHashChain(built.resultXml, bad, '/sig-hashchain.xml', v), 'MalformedHashChain');
  });

  it('encodes DigestList as DER SEQUENCE OF SingleDigest', () => {
    const value = sha512('a');
    const uri = Buffer.from('http://www.w3.org/2001/04/xmlenc#sha512');
    const single = [0x30, 2 + 64 + 2 + uri.length + 2, 0x04, 64, ...value, 0x0c, uri.length, ...uri, 0x30, 0];
    const body = [...single, ...single];
    const expected = [0x30, 0x81, body.length, ...body];
    expect(Buffer.from(digestList([0, 1].map(() => ({ hash: 'SHA-512', value })))).toString('hex')).toBe(
      Buffer.from(expected).toString('hex'),
    );
  });

  it("reads riik's own chains without the XML parser, exactly as the parser reads them", () => {
    for (const n of [1, 2, 3, 7, 16]) {
      for (const withBody of [false, true]) {
        const built = buildHashChains(inputs(n, withBody), { ...opts, allowSingle: true });
        for (const chain of built.chains) {
          const scanned = scanHashChain(chain);
          expect(scanned).not.toBeNull();
          expect(scanned).toEqual(parseHashChainDom(chain));
        }
        const root = parseXml(built.resultXml)!.documentElement!;
        expect(readHashChainResult(built.resultXml)).toEqual({
          uri: root.getAttribute('URI'),
          hash: 'SHA-512',
          value: built.top,
        });
      }
    }
  });

  it("reads chains in other serialisations (a peer's) with the XML parser", () => {
    const ins = inputs(3, true);
    const built = buildHashChains(ins, opts);
    const chain = built.chains[1]!;
    const map = new Map([
      ['/message.xml', { hash: 'SHA-512' as const, value: ins[1]!.parts[0]! }],
      ['/attachment1', { hash: 'SHA-512' as const, value: ins[1]!.parts[1]! }],
    ]);
    const variants = [
      chain.replace(/></g, '>\n  <'),
      chain.replaceAll('hc:', 'h:').replace('xmlns:hc=', 'xmlns:h='),
      chain.replace(/<(\/?)hc:/g, '<$1').replace('xmlns:hc=', 'xmlns='),
      chain.replace('<hc:HashStep', '<!-- steps --><hc:HashStep'),
      chain.replace('URI="/message.xml"', "URI='/message.xml'"),
      chain.replace('URI="/message.xml"', 'URI="&#x2F;message.xml"'),
      chain.replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ''),
      chain.replace(/<ds:DigestValue>([^<]{20})/, '<ds:DigestValue>$1\n'),
      `${chain}\n`,
    ];
    for (const variant of variants) {
      expect(scanHashChain(variant)).toBeNull();
      expect(readHashChain(variant)).toEqual(readHashChain(chain));
      const result = verifyHashChain(built.resultXml, variant, '/sig-hashchain.xml', map);
      expect(Buffer.from(result.value).equals(Buffer.from(built.top))).toBe(true);
    }
    const result = built.resultXml.replace('<ds:DigestValue>', '<ds:DigestValue>\n');
    expect(readHashChainResult(result)).toEqual(readHashChainResult(built.resultXml));
  });

  it('gives the same errors for bad chains in its own form as the XML parser', () => {
    const built = buildHashChains(inputs(4), opts);
    const chain = built.chains[0]!;
    const step = /<hc:HashStep id="STEP1">.*?<\/hc:HashStep>/.exec(chain)![0];
    const cases: Array<[string, string]> = [
      [chain.replace('id="STEP1"', 'id="STEP0"'), 'MalformedHashChain'],
      [chain.replace(step, step + step), 'MalformedHashChain'],
      [chain.replace('xmlenc#sha512"/>', 'xmlenc#md5"/>'), 'UnsupportedAlgorithm'],
      [
        chain.replace(/(<hc:HashStep id="STEP1">)/, `$1${'<hc:StepRef URI="#STEP2"/>'.repeat(17)}`),
        'MalformedHashChain',
      ],
      [
        chain.replace(/<hc:HashStep id="STEP1">.*?<\/hc:HashStep>/, '<hc:HashStep id="STEP1"></hc:HashStep>'),
        'MalformedHashChain',
      ],
      [chain.slice(0, -1), 'MalformedHashChain'],
      [chain.replace('</hc:HashChain>', '</hc:HashStep></hc:HashChain>'), 'MalformedHashChain'],
      [chain.replace('id="STEP1"', 'id="STEP1" id="STEP1"'), 'MalformedHashChain'],
    ];
    for (const [bad, code] of cases) {
      expectCode(() => readHashChain(bad), code);
      expectCode(() => parseHashChainDom(bad), code);
    }
    expectCode(
      () => readHashChain(chain.replace('</hc:HashChain>', `${' '.repeat(70_000)}</hc:HashChain>`)),
      'MalformedHashChain',
    );
    expectCode(() => readHashChainResult(built.resultXml.slice(0, -5)), 'MalformedHashChain');
    expectCode(
      () => readHashChainResult(built.resultXml.replace('xmlenc#sha512', 'xmlenc#md5')),
      'UnsupportedAlgorithm',
    );
  });

  it('a batch signature covers each message with its body, and only it', async () => {
    const messages = [0, 1, 2].map((i) => ({
      message: sha512(`h${i}`),
      attachments: i === 1 ? [sha512('body')] : [],
    }));
    const datas = await signMessages(key(), messages, new Date());
    expect(new Set(datas.map((d) => d.signatureXml)).size).toBe(1);
    datas.forEach((d, i) => verifyMessageSignature(d, messages[i]!));
    expectCode(() => verifyMessageSignature(datas[0]!, messages[1]!), 'InvalidHashChainRef');
    expectCode(
      () =>
        verifyMessageSignature(datas[1]!, { message: messages[1]!.message, attachments: [sha512('other')] }),
      'InvalidHashChainRef',
    );
  });
});
