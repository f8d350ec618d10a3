/** Shared test fixtures: a throw-away signer (P-384 key, self-signed certificate) and signing helpers. */
import 'reflect-metadata';
import { sign as cryptoSign, webcrypto, type KeyObject } from 'node:crypto';
import { KeyObject as NodeKeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import * as x509 from '@peculiar/x509';
import {
  addUnsignedProperties,
  digestDataFile,
  finalizeSignature,
  prepareSignature,
  writeContainer,
  type DataFileInput,
  type PrepareOptions,
  type PreparedSignature,
} from '../src/index.js';

x509.cryptoProvider.set(webcrypto);

export interface TestSigner {
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
  readonly pem: string;
}

export async function makeSigner(
  commonName = 'TAMM,MARI,38001085718',
  algorithm: 'P-384' | 'P-256' | 'RSA' = 'P-384',
): Promise<TestSigner> {
  const alg =
    algorithm === 'RSA'
      ? {
          name: 'RSASSA-PKCS1-v1_5',
          hash: 'SHA-256',
          publicExponent: new Uint8Array([1, 0, 1]),
          modulusLength: 2048,
        }
      : { name: 'ECDSA', namedCurve: algorithm, hash: algorithm === 'P-384' ? 'SHA-384' : 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a1b2c3d4e5f',
    // @peculiar/x509 encodes RDNs in the order written: most significant (C) first, as certificates do
    name: `C=EE, O=riik test, CN=${commonName.replace(/,/g, '\\,')}`,
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true)],
  });
  return {
    certificate: new Uint8Array(cert.rawData),
    privateKey: NodeKeyObject.from(keys.privateKey),
    pem: cert.toString('pem'),
  };
}

/** Phase two of signing as an eID token would do it: sign the canonical SignedInfo, raw r||s for ECDSA. */
export function signPrepared(prepared: PreparedSignature, key: KeyObject): Uint8Array {
  const data = Buffer.from(prepared.signedInfo, 'base64');
  return new Uint8Array(
    cryptoSign(
      prepared.hash,
      data,
      key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    ),
  );
}

export const SIGNING_TIME = new Date('2026-01-15T10:00:00Z');

/**
 * Unsigned LT properties with placeholder bytes where the time-stamp token and OCSP response go.
 * This layer only checks that they are there (the level) and hands them to the PKI checks, so
 * placeholders let its tests reach an LT signature; real tokens are the PKI layer's business.
 */
export function withPlaceholderLtProperties(signatureFile: Uint8Array, certificate: Uint8Array): Buffer {
  return addUnsignedProperties(signatureFile, {
    signatureTimeStamp: { token: Buffer.from('placeholder time-stamp token') },
    certificateValues: [certificate],
    ocspResponses: [Buffer.from('placeholder OCSP response')],
  });
}

/** A signature file over `files`; LT-shaped (placeholder unsigned properties) unless `bLevel`. */
export async function signFiles(
  signer: TestSigner,
  files: readonly DataFileInput[],
  extra: Partial<PrepareOptions> & { bLevel?: boolean } = {},
): Promise<Buffer> {
  const digests = await Promise.all(
    files.map(async (f) => ({
      name: f.name,
      mediaType: f.mediaType,
      digest: await digestDataFile(f.content, extra.digest ?? 'sha256'),
    })),
  );
  const { bLevel, ...options } = extra;
  const prepared = prepareSignature({
    dataFiles: digests,
    signingCertificate: signer.certificate,
    signingTime: SIGNING_TIME,
    ...options,
  });
  const signed = finalizeSignature(prepared, signPrepared(prepared, signer.privateKey));
  return bLevel ? signed : withPlaceholderLtProperties(signed, signer.certificate);
}

export function textFile(name: string, text: string, mediaType = 'text/plain'): DataFileInput {
  return { name, mediaType, content: Buffer.from(text, 'utf8') };
}

/** A signed ASiC-E container in memory. */
export async function signedContainer(
  signer: TestSigner,
  files: readonly DataFileInput[],
  extra: Partial<PrepareOptions> & { bLevel?: boolean } = {},
): Promise<Buffer> {
  const signature = await signFiles(signer, files, extra);
  return collect((sink) =>
    writeContainer(sink, { dataFiles: files, signatures: [signature], mtime: SIGNING_TIME }),
  );
}

/** Everything written to a stream, collected. */
export async function collect(write: (sink: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await write(
    new Writable({
      write(chunk: Buffer, _e, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}
