/**
 * Independent tools on riik's LT signatures: xmlsec1 verifies the XMLDSig core (the key from
 * KeyInfo, its certificate chained to riik's root), `openssl ts -verify` accepts the extracted
 * time-stamp token over the canonical SignatureValue, `openssl ocsp` reads and verifies the
 * embedded OCSP response.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, openssl, tempDir } from '@riik/testing';
import {
  createSignature,
  openContainer,
  signatureTimeStampData,
  writeContainer,
  type DataFileInput,
} from '../src/index.js';
import { collect, textFile } from './helpers.js';
import { createTestPki, type Person, type TestPki } from './pki-fixture.js';

const clock = new FakeClock(new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000));
const files: DataFileInput[] = [
  textFile('leping.txt', 'Müüja ja ostja lepivad kokku.\n'),
  { name: 'lisa/tabel.csv', mediaType: 'text/csv', content: Buffer.from('a,b\n1,2\n') },
];

let dir: { path: string; remove: () => void };
let pki: TestPki;
let mari: Person;
let signatureFile: Buffer;
const path = (name: string) => join(dir.path, name);

/** An independent tool in a working directory, without blocking the event loop; stdout + stderr. */
function runIn(cwd: string, command: string, args: string[]): Promise<{ out: string; status: number }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd }, (error, stdout, stderr) =>
      resolve({ out: stdout + stderr, status: error ? ((error.code as number | undefined) ?? 1) : 0 }),
    );
  });
}

beforeAll(async () => {
  dir = tempDir('riik-lt-interop-');
  pki = await createTestPki(clock.now);
  mari = await pki.person();
  const signed = await createSignature({
    dataFiles: files,
    signingCertificate: mari.certificate,
    signDigest: mari.signDigest,
    lt: { timeStamp: pki.timeStamp, ocsp: pki.ocsp, trust: pki.trust, certificates: [pki.ca.certificate] },
    now: clock.now,
  });
  // what the tools see is what the container holds
  const bytes = await collect((sink) =>
    writeContainer(sink, { dataFiles: files, signatures: [signed.file], mtime: clock.now() }),
  );
  const container = await openContainer(bytes);
  signatureFile = container.signatureFiles[0]!.bytes;
  container.close();
  for (const f of files) {
    mkdirSync(dirname(path(f.name)), { recursive: true });
    writeFileSync(path(f.name), f.content as Uint8Array);
  }
  writeFileSync(path('signatures0.xml'), signatureFile);
  writeFileSync(path('root.pem'), pki.root.certificate.toPem());
  writeFileSync(path('ca.pem'), pki.ca.certificate.toPem());
  writeFileSync(path('chain.pem'), pki.root.certificate.toPem() + pki.ca.certificate.toPem());
  writeFileSync(path('signer.pem'), mari.certificate.toPem());
});
afterAll(() => dir.remove());

const element = (name: string): string => {
  const m = new RegExp(`<xades:${name}>([^<]*)</xades:${name}>`).exec(signatureFile.toString('utf8'));
  expect(m, name).not.toBeNull();
  return m![1]!;
};

describe('independent tools accept riik LT signatures', () => {
  it('xmlsec1 --verify: XMLDSig core with the SignedProperties Id registered, chain to the root', async () => {
    // xmlsec1 resolves the data-file URIs against the working directory
    const result = await runIn(dir.path, 'xmlsec1', [
      '--verify',
      '--id-attr:Id',
      'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      '--trusted-pem',
      path('root.pem'),
      '--untrusted-pem',
      path('ca.pem'),
      path('signatures0.xml'),
    ]);
    expect(result.out).toContain('SignedInfo References (ok/all): 3/3');
    expect(result.status, result.out).toBe(0);
  });

  it('openssl ts -verify: the token is over the canonical SignatureValue and chains to the root', async () => {
    writeFileSync(path('token.der'), Buffer.from(element('EncapsulatedTimeStamp'), 'base64'));
    writeFileSync(path('signature-value.c14n'), signatureTimeStampData(signatureFile));
    const result = await openssl([
      'ts',
      '-verify',
      '-data',
      path('signature-value.c14n'),
      '-in',
      path('token.der'),
      '-token_in',
      '-CAfile',
      path('root.pem'),
    ]);
    expect(result.out).toContain('Verification: OK');
    // and not over anything else
    writeFileSync(path('other.bin'), 'something else');
    const other = await openssl([
      'ts',
      '-verify',
      '-data',
      path('other.bin'),
      '-in',
      path('token.der'),
      '-token_in',
      '-CAfile',
      path('root.pem'),
    ]);
    expect(other.out).not.toContain('Verification: OK');
  });

  it('openssl ocsp -respin: parses the embedded response and verifies it for the signer', async () => {
    writeFileSync(path('ocsp.der'), Buffer.from(element('EncapsulatedOCSPValue'), 'base64'));
    const parsed = await openssl(['ocsp', '-respin', path('ocsp.der'), '-resp_text', '-noverify']);
    expect(parsed.status, parsed.out).toBe(0);
    expect(parsed.out).toContain('OCSP Response Status: successful');
    expect(parsed.out).toContain('Cert Status: good');
    const verified = await openssl([
      'ocsp',
      '-respin',
      path('ocsp.der'),
      '-CAfile',
      path('chain.pem'),
      '-issuer',
      path('ca.pem'),
      '-cert',
      path('signer.pem'),
      '-no_nonce',
    ]);
    expect(verified.out).toContain('Response verify OK');
    expect(verified.out).toMatch(/signer\.pem: good/);
  });
});
