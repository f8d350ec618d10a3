import { bytesEqual } from '@riik/core';
import type { HashAlgorithm, Signer } from '@riik/keys';
import type { Certificate } from '@riik/pki';
import { digest, MESSAGE_DIGEST } from './algorithms.js';
import { SignatureError } from './errors.js';
import { buildHashChains, verifyHashChain } from './hash-chain.js';
import { buildSignatureXml, MessageFileNames, verifySignatureXml, type VerifiedSignature } from './xades.js';

/** A message's signature as it travels and is logged: the XML and, for batch signatures, the hash chain. */
export interface SignatureData {
  readonly signatureXml: string;
  readonly hashChainResult?: string;
  readonly hashChain?: string;
}

/** The digests of what one message signs: its header part and its body (attachment 1) if any. */
export interface MessageDigests {
  readonly message: Uint8Array;
  readonly attachments: ReadonlyArray<Uint8Array>;
}

export interface SigningKey {
  readonly signer: Signer;
  readonly certificate: Certificate;
  /** Current OCSP responses for the certificate. */
  readonly ocspResponses: ReadonlyArray<Uint8Array>;
}

/**
 * Sign one or more messages with one signature (PR-MESSTRANSP §3, PR-SIGDOC, BATCH-TS). A single
 * message without a body is signed directly (reference `/message.xml`); otherwise a hash tree is built
 * over all messages, the signature covers its HashChainResult (`/sig-hashchainresult.xml`) and each
 * message gets its own HashChain. Returns one SignatureData per message, in order.
 */
export async function signMessages(
  key: SigningKey,
  messages: ReadonlyArray<MessageDigests>,
  signingTime: Date,
): Promise<SignatureData[]> {
  const hash: HashAlgorithm = MESSAGE_DIGEST;
  if (messages.length === 1 && messages[0]!.attachments.length === 0) {
    const signatureXml = await buildSignatureXml({
      ...key,
      reference: { uri: MessageFileNames.message, digestAlgorithm: hash, digest: messages[0]!.message },
      mimeType: 'text/xml',
      signingTime,
    });
    return [{ signatureXml }];
  }
  const built = buildHashChains(
    messages.map((m) => ({ parts: [m.message, ...m.attachments] })),
    { hash, chainFile: MessageFileNames.sigHashChain, dataFile: MessageFileNames.message },
  );
  const signatureXml = await buildSignatureXml({
    ...key,
    reference: {
      uri: MessageFileNames.sigHashChainResult,
      digestAlgorithm: hash,
      digest: digest(hash, Buffer.from(built.resultXml, 'utf8')),
    },
    mimeType: 'application/hash-chain-result',
    signingTime,
  });
  return built.chains.map((hashChain) => ({ signatureXml, hashChainResult: built.resultXml, hashChain }));
}

/**
 * Verify a message signature against the message's digests: the signature itself (see
 * `verifySignatureXml`), then that its data reference — directly, or through the hash chain — covers
 * exactly this message and body. `verifyXml` lets a caller cache the (shared) batch signature check.
 * Certificate and OCSP checks are the caller's (they need the global configuration).
 */
export function verifyMessageSignature(
  data: SignatureData,
  message: MessageDigests,
  verifyXml: (xml: string) => VerifiedSignature = verifySignatureXml,
): VerifiedSignature {
  const verified = verifyXml(data.signatureXml);
  const { reference } = verified;
  if (reference.uri === MessageFileNames.message) {
    if (data.hashChain || data.hashChainResult || message.attachments.length > 0)
      throw new SignatureError('InvalidReference', 'a signature over /message.xml cannot cover a body');
    if (reference.digestAlgorithm !== MESSAGE_DIGEST || !bytesEqual(reference.digest, message.message))
      throw new SignatureError('InvalidReference', 'the signature does not cover this message');
    return verified;
  }
  if (!data.hashChain || !data.hashChainResult)
    throw new SignatureError('MalformedHashChain', 'a batch signature needs its hash chain and result');
  const resultDigest = digest(reference.digestAlgorithm, Buffer.from(data.hashChainResult, 'utf8'));
  if (!bytesEqual(resultDigest, reference.digest))
    throw new SignatureError('InvalidReference', 'the signature does not cover this hash chain result');
  const inputs = new Map<string, { hash: HashAlgorithm; value: Uint8Array }>([
    [MessageFileNames.message, { hash: MESSAGE_DIGEST, value: message.message }],
  ]);
  message.attachments.forEach((value, i) =>
    inputs.set(MessageFileNames.attachment(i + 1), { hash: MESSAGE_DIGEST, value }),
  );
  verifyHashChain(data.hashChainResult, data.hashChain, MessageFileNames.sigHashChain, inputs);
  return verified;
}
