/**
 * Malformed and hostile signature files: every one answers with a coded open error or a finding,
 * never a crash; and random corruption of whole containers never escapes as an exception.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import { C14N, validateContainer, writeContainer, type ContainerValidationResult } from '../src/index.js';
import {
  collect,
  makeSigner,
  signFiles,
  signedContainer,
  textFile,
  SIGNING_TIME,
  type TestSigner,
} from './helpers.js';

const FILES = [textFile('test.txt', 'Tere!')];
let signer: TestSigner;
let signature: string;

beforeAll(async () => {
  signer = await makeSigner();
  signature = (await signFiles(signer, FILES)).toString('utf8');
});

async function withSignature(xml: string): Promise<ContainerValidationResult> {
  const zip = await collect((sink) =>
    writeContainer(sink, { dataFiles: FILES, signatures: [Buffer.from(xml, 'utf8')], mtime: SIGNING_TIME }),
  );
  return validateContainer(zip);
}

function codes(r: ContainerValidationResult): string[] {
  return r.signatures.flatMap((s) => s.findings.map((f) => f.code));
}

describe('signature files the validators cannot open', () => {
  it.each([
    [
      'a foreign root element',
      (x: string) => x.replace(/asic:XAdESSignatures/g, 'asic:Other'),
      'XADES_MALFORMED',
    ],
    [
      'no signature',
      (x: string) => x.replace(/<ds:Signature [\s\S]*<\/ds:Signature>/, ''),
      'XADES_MALFORMED',
    ],
    [
      'no SignedInfo',
      (x: string) => x.replace(/<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/, ''),
      'XMLDSIG_MALFORMED',
    ],
    [
      'a SignatureValue that is not base64',
      (x: string) => x.replace(/(<ds:SignatureValue[^>]*>)/, '$1!!'),
      'XMLDSIG_MALFORMED',
    ],
    [
      'HMACOutputLength (truncation)',
      (x: string) =>
        x.replace(
          /(<ds:SignatureMethod [^>]*)\/>/,
          '$1><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>',
        ),
      'XMLDSIG_MALFORMED',
    ],
    [
      'no QualifyingProperties',
      (x: string) => x.replace(/<ds:Object>[\s\S]*<\/ds:Object>/, ''),
      'XADES_MALFORMED',
    ],
    [
      'an unparseable SigningTime',
      (x: string) => x.replace('2026-01-15T10:00:00Z', 'yesterday'),
      'XADES_MALFORMED',
    ],
    [
      'two EncapsulatedTimeStamp in one SignatureTimeStamp (DSS refuses it)',
      (x: string) => x.replace(/(<xades:EncapsulatedTimeStamp>[^<]*<\/xades:EncapsulatedTimeStamp>)/, '$1$1'),
      'XADES_MALFORMED',
    ],
    [
      'an XMLTimeStamp',
      (x: string) =>
        x.replace(
          /<xades:EncapsulatedTimeStamp>[^<]*<\/xades:EncapsulatedTimeStamp>/,
          '<xades:XMLTimeStamp/>',
        ),
      'XADES_MALFORMED',
    ],
    [
      'a DOCTYPE',
      (x: string) => x.replace('<asic:', '<!DOCTYPE x [<!ENTITY e "e">]><asic:'),
      'XML_FORBIDDEN_DTD',
    ],
    ['broken XML', (x: string) => x.replace('</ds:SignedInfo>', ''), 'XML_MALFORMED'],
  ])('%s', async (_what, edit, code) => {
    const edited = edit(signature);
    expect(edited).not.toBe(signature);
    const r = await withSignature(edited);
    expect(r.verdict).toBe('OPEN_ERROR');
    expect(r.error?.code).toBe(code);
  });
});

describe('algorithms', () => {
  it('an unknown signature or digest method leaves the signature INDETERMINATE', async () => {
    const hmac = await withSignature(
      signature.replace(
        /SignatureMethod Algorithm="[^"]+"/,
        'SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"',
      ),
    );
    expect(hmac.verdict).toBe('INDETERMINATE');
    expect(codes(hmac)).toContain('UNSUPPORTED_ALGORITHM');
    const md5 = await withSignature(
      signature.replace(
        /(<ds:Reference Id="r-[^"]+" URI="test.txt"><ds:DigestMethod Algorithm=")[^"]+/,
        '$1http://www.w3.org/2001/04/xmldsig-more#md5',
      ),
    );
    expect(codes(md5)).toContain('UNSUPPORTED_ALGORITHM');
  });

  it('SHA-1 still verifies, with a warning', async () => {
    const r = await validateContainer(await signedContainer(signer, FILES, { digest: 'sha1' }));
    expect(codes(r)).toEqual([
      'WEAK_ALGORITHM',
      'WEAK_ALGORITHM',
      'WEAK_ALGORITHM',
      'PKI_CHECKS_NOT_PERFORMED',
    ]);
    expect(r.hasWarnings).toBe(true);
    expect(r.signatures[0]!.hasWarnings).toBe(true);
  });

  it.each(Object.entries(C14N))('signs and verifies with %s canonicalization', async (_name, algorithm) => {
    const r = await validateContainer(await signedContainer(signer, FILES, { canonicalization: algorithm }));
    expect(codes(r)).toEqual(['PKI_CHECKS_NOT_PERFORMED']);
  });

  it('a certificate that is not one is skipped, never trusted', async () => {
    const r = await withSignature(
      signature
        .replace(
          /<ds:X509Certificate>[^<]*</,
          `<ds:X509Certificate>${Buffer.from('not a certificate').toString('base64')}<`,
        )
        .replace(/<xades:CertificateValues>.*?<\/xades:CertificateValues>/, ''),
    );
    expect(codes(r)).toContain('SIGNING_CERTIFICATE_NOT_FOUND');
  });
});

describe('random corruption', () => {
  /** xorshift32: reproducible "random" positions and bytes. */
  function prng(seed: number): () => number {
    let x = seed;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }

  it('never makes validation throw', { timeout: 120_000 }, async () => {
    const samples = [
      await signedContainer(signer, FILES),
      readFileSync(join(testDataDir('digidoc', 'containers'), 'valid-asice.asice')),
      readFileSync(join(testDataDir('digidoc', 'containers'), '3xTST-text-data-file.asics')),
    ];
    const random = prng(0x5eed);
    const verdicts = new Map<string, number>();
    for (const original of samples) {
      for (let i = 0; i < 150; i++) {
        const bytes = Buffer.from(original);
        if (i % 10 === 0) {
          const cut = Math.floor(random() * bytes.length);
          const r = await validateContainer(bytes.subarray(0, cut));
          verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
          continue;
        }
        for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        const r = await validateContainer(bytes);
        verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
      }
    }
    expect([...verdicts.values()].reduce((a, b) => a + b)).toBe(450);
    expect(verdicts.get('OPEN_ERROR')).toBeGreaterThan(0);
  });
});
