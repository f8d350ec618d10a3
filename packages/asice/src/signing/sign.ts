/**
 * The whole signing flow for one signature, with the key somewhere else: digest the data files
 * (streamed), prepare the XAdES document, have the key sign the digest (an eID card with PIN2,
 * Mobile-ID, Smart-ID: anything that returns a raw ECDSA r||s or RSA PKCS#1 v1.5 value), check and
 * store the value, and extend the signature to LT (time-stamp, then OCSP).
 */
import type { Certificate } from '@riik/pki';
import { digestDataFile, type DataFileInput } from '../container/write.js';
import type { HashName } from '../xmldsig/algorithms.js';
import { extendToLt, type ExtendedSignature, type ExtendToLtOptions } from './lt.js';
import { finalizeSignature, prepareSignature, type PrepareOptions } from './prepare.js';

/** Signs a digest with the signer's key; the value as XMLDSig stores it (ECDSA: raw r||s). */
export type SignDigest = (digest: Uint8Array, hash: HashName) => Promise<Uint8Array>;

export interface CreateSignatureOptions extends Omit<
  PrepareOptions,
  'dataFiles' | 'signingCertificate' | 'signingTime'
> {
  readonly dataFiles: readonly Pick<DataFileInput, 'name' | 'mediaType' | 'content'>[];
  readonly signingCertificate: Certificate;
  readonly signDigest: SignDigest;
  readonly lt: ExtendToLtOptions;
  readonly now?: () => Date;
}

export async function createSignature(options: CreateSignatureOptions): Promise<ExtendedSignature> {
  const { dataFiles, signingCertificate, signDigest, lt, now, ...prepare } = options;
  const hash = prepare.digest ?? 'sha256';
  const digests = [];
  for (const file of dataFiles) {
    digests.push({
      name: file.name,
      mediaType: file.mediaType,
      digest: await digestDataFile(file.content, hash),
    });
  }
  const prepared = prepareSignature({
    ...prepare,
    dataFiles: digests,
    signingCertificate: signingCertificate.der,
    signingTime: (now ?? (() => new Date()))(),
  });
  const value = await signDigest(Buffer.from(prepared.digestToSign, 'base64'), prepared.hash);
  return extendToLt(finalizeSignature(prepared, value), lt);
}
