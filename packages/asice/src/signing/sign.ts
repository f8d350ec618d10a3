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
import { finalizeSignature, prepareSignature, type DataFileDigest, type PrepareOptions } from './prepare.js';

/** Signs a digest with the signer's key; the value as XMLDSig stores it (ECDSA: raw r||s). */
export type SignDigest = (digest: Uint8Array, hash: HashName) => Promise<Uint8Array>;

interface SignatureOptions extends Omit<PrepareOptions, 'dataFiles' | 'signingCertificate' | 'signingTime'> {
  readonly signingCertificate: Certificate;
  readonly signDigest: SignDigest;
  readonly lt: ExtendToLtOptions;
  readonly now?: () => Date;
}

export interface CreateSignatureOptions extends SignatureOptions {
  readonly dataFiles: readonly Pick<DataFileInput, 'name' | 'mediaType' | 'content'>[];
}

export interface SignDigestsOptions extends SignatureOptions {
  /** The data files' digests, with `digest` (default sha256), e.g. from writeSignedContainer. */
  readonly dataFiles: readonly DataFileDigest[];
}

/** A signature over data files whose digests are known: prepare, sign with the key, extend to LT. */
export async function signDigests(options: SignDigestsOptions): Promise<ExtendedSignature> {
  const { dataFiles, signingCertificate, signDigest, lt, now, ...prepare } = options;
  const prepared = prepareSignature({
    ...prepare,
    dataFiles,
    signingCertificate: signingCertificate.der,
    signingTime: (now ?? (() => new Date()))(),
  });
  const value = await signDigest(Buffer.from(prepared.digestToSign, 'base64'), prepared.hash);
  return extendToLt(finalizeSignature(prepared, value), lt);
}

/** A signature over data files, digested here (streamed). */
export async function createSignature(options: CreateSignatureOptions): Promise<ExtendedSignature> {
  const hash = options.digest ?? 'sha256';
  const digests: DataFileDigest[] = [];
  for (const file of options.dataFiles) {
    digests.push({
      name: file.name,
      mediaType: file.mediaType,
      digest: await digestDataFile(file.content, hash),
    });
  }
  return signDigests({ ...options, dataFiles: digests });
}
