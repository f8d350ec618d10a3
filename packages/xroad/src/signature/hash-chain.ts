import { bytesEqual, toBase64 } from '@riik/core';
import type { HashAlgorithm } from '@riik/keys';
import { digest, DIGEST_URI } from './algorithms.js';
import { SignatureError } from './errors.js';
import {
  DS_NS,
  HASH_CHAIN_NS,
  malformed,
  readHashChain,
  readHashChainResult,
  XML_DECL,
  type HashChainResult,
} from './hash-chain-xml.js';

export { HASH_CHAIN_NS, MAX_HASH_CHAIN_XML_BYTES, type HashChainResult } from './hash-chain-xml.js';

/*
 * Hash chains for batch signatures and batch time-stamps ("Using Batch Hashing for Signing and
 * Time-Stamping", BATCH-TS; X-Road's hashchain.xsd, namespace http://cyber.ee/hashchain). Many inputs
 * are hashed into a binary tree; one signature (or one time-stamp) covers the top, published as a
 * HashChainResult; each input gets a HashChain, the steps from the top down to it.
 *
 * A hash step's value is the digest of the DER DigestList of its items, each a
 *   SingleDigest ::= SEQUENCE { digest OCTET STRING, digestMethod UTF8String, transforms SEQUENCE {} }
 * exactly as X-Road's DigestList computes it; a StepRef item's digest is the digest of the referenced
 * step's DigestList; a HashChainResult's DigestValue is the digest of its step's DigestList. The
 * verifier follows X-Road's HashChainVerifier rules, so it reads chains of any tree shape.
 */

/** Steps a chain may visit while it is verified (as many as riik reads in one chain). */
const MAX_STEPS = 64;

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlvHeader(tag: number, length: number): Buffer {
  return Buffer.from([tag, ...derLength(length)]);
}

// `digestMethod UTF8String, transforms SEQUENCE {}`: the same bytes after every digest of one algorithm.
const singleDigestTail = Object.fromEntries(
  Object.entries(DIGEST_URI).map(([hash, uri]) => {
    const text = Buffer.from(uri, 'utf8');
    return [hash, Buffer.concat([tlvHeader(0x0c, text.length), text, Buffer.from([0x30, 0x00])])];
  }),
) as Record<HashAlgorithm, Buffer>;

/**
 * DER of the DigestList of `items` (each a digest made with `hash`). Written straight into one buffer:
 * every message's chain is verified with several of these on each side of an exchange.
 */
export function digestList(items: ReadonlyArray<{ hash: HashAlgorithm; value: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const { hash, value } of items) {
    const tail = singleDigestTail[hash];
    const valueHeader = tlvHeader(0x04, value.length);
    const single = tlvHeader(0x30, valueHeader.length + value.length + tail.length);
    parts.push(single, valueHeader, value, tail);
    length += single.length + valueHeader.length + value.length + tail.length;
  }
  return Buffer.concat([tlvHeader(0x30, length), ...parts]);
}

/** The digest of a hash step over `values`, all made with `hash`. */
export function hashStep(hash: HashAlgorithm, ...values: Uint8Array[]): Uint8Array {
  return digest(hash, digestList(values.map((value) => ({ hash, value }))));
}

/** One input of a batch: a single digest, or several (a message and its body/attachments). */
export interface HashChainInput {
  /** [message digest] or [message digest, attachment1 digest, ...]. */
  readonly parts: ReadonlyArray<Uint8Array>;
}

export interface BuiltHashChains {
  /** The top of the tree: what gets signed or time-stamped (via the result XML). */
  readonly top: Uint8Array;
  /** The HashChainResult XML. */
  readonly resultXml: string;
  /** One HashChain XML per input, in input order. */
  readonly chains: string[];
}

function valueXml(kind: 'DataRef' | 'HashValue', value: Uint8Array, uri?: string): string {
  const attr = uri === undefined ? '' : ` URI="${uri}"`;
  return `<hc:${kind}${attr}><ds:DigestValue>${toBase64(value)}</ds:DigestValue></hc:${kind}>`;
}

function stepRefXml(step: number): string {
  return `<hc:StepRef URI="#STEP${step}"/>`;
}

/**
 * Build the tree over `inputs` and the hash chains. `chainFile` is the name the chains are published
 * under (`/sig-hashchain.xml`), `dataFile` the name of each input's data (`/message.xml`), and
 * `attachmentFile(i)` the name of its i-th further part (`/attachment1`). Needs at least two inputs, or
 * one with several parts; a lone single-part input is signed directly instead.
 */
export function buildHashChains(
  inputs: ReadonlyArray<HashChainInput>,
  options: {
    hash: HashAlgorithm;
    chainFile: string;
    dataFile: string;
    attachmentFile?: (i: number) => string;
    /**
     * Allow a lone single-part input: its chain is one step over its data reference. The message log
     * time-stamps a single record this way, so the signature XML never changes after signing.
     */
    allowSingle?: boolean;
  },
): BuiltHashChains {
  const { hash } = options;
  const lone = inputs.length === 1;
  if (inputs.length === 0 || (lone && inputs[0]!.parts.length < 2 && !options.allowSingle))
    throw new SignatureError('CannotCreateSignature', 'a hash chain needs two inputs or a multipart input');
  // A multipart input (or a lone one) ends its chain with a step over its data references.
  const ownStep = (input: HashChainInput) => input.parts.length > 1 || lone;
  const leaves = inputs.map((input) => (ownStep(input) ? hashStep(hash, ...input.parts) : input.parts[0]!));
  // levels[0] = leaves; an odd node at the end of a level is carried up unchanged.
  const levels: Uint8Array[][] = [leaves];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const above: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2)
      above.push(i + 1 < below.length ? hashStep(hash, below[i]!, below[i + 1]!) : below[i]!);
    levels.push(above);
  }
  const top = levels.at(-1)![0]!;
  const attachmentFile = options.attachmentFile ?? ((i: number) => `/attachment${i}`);
  const chains = inputs.map((input, index) => {
    // Sibling pairs from the leaf up to the top, skipping levels where the node was carried up.
    const pairs: Array<{ mineLeft: boolean; other: Uint8Array }> = [];
    let i = index;
    for (let level = 0; level < levels.length - 1; level++) {
      const nodes = levels[level]!;
      const sibling = i ^ 1;
      if (sibling < nodes.length) pairs.push({ mineLeft: (i & 1) === 0, other: nodes[sibling]! });
      i >>= 1;
    }
    pairs.reverse();
    const multipart = ownStep(input);
    const steps: string[] = [];
    pairs.forEach(({ mineLeft, other }, k) => {
      const last = k === pairs.length - 1;
      const mine =
        last && !multipart ? valueXml('DataRef', input.parts[0]!, options.dataFile) : stepRefXml(k + 1);
      const theirs = valueXml('HashValue', other);
      steps.push(`<hc:HashStep id="STEP${k}">${mineLeft ? mine + theirs : theirs + mine}</hc:HashStep>`);
    });
    if (multipart) {
      const refs = input.parts
        .map((p, j) => valueXml('DataRef', p, j === 0 ? options.dataFile : attachmentFile(j)))
        .join('');
      steps.push(`<hc:HashStep id="STEP${pairs.length}">${refs}</hc:HashStep>`);
    }
    return (
      `${XML_DECL}<hc:HashChain xmlns:hc="${HASH_CHAIN_NS}" xmlns:ds="${DS_NS}">` +
      `<hc:DefaultDigestMethod Algorithm="${DIGEST_URI[hash]}"/>${steps.join('')}</hc:HashChain>`
    );
  });
  const resultXml =
    `${XML_DECL}<hc:HashChainResult xmlns:hc="${HASH_CHAIN_NS}" xmlns:ds="${DS_NS}" URI="${options.chainFile}#STEP0">` +
    `<ds:DigestMethod Algorithm="${DIGEST_URI[hash]}"/><ds:DigestValue>${toBase64(top)}</ds:DigestValue></hc:HashChainResult>`;
  return { top, resultXml, chains };
}

// The messages of a batch share one HashChainResult; each reads it, so the parsed form is kept.
const RESULTS_MAX = 256;
const results = new Map<string, HashChainResult>();

export function parseHashChainResult(xml: string): HashChainResult {
  let result = results.get(xml);
  if (!result) {
    result = readHashChainResult(xml);
    if (results.size >= RESULTS_MAX) results.delete(results.keys().next().value!);
    results.set(xml, result);
  }
  return result;
}

/**
 * Verify that the hash chain `chainXml` (published as `chainFile`) leads every one of `inputs`
 * (file name → digest) to the digest in `resultXml`. Throws a `SignatureError`: MalformedHashChain,
 * InvalidHashChain (the result does not match), InvalidReference (a data reference to something that is
 * not an input), HashChainUnusedInputs (an input the chain never reaches).
 */
export function verifyHashChain(
  resultXml: string,
  chainXml: string,
  chainFile: string,
  inputs: ReadonlyMap<string, { hash: HashAlgorithm; value: Uint8Array }>,
): HashChainResult {
  const result = parseHashChainResult(resultXml);
  const chain = readHashChain(chainXml);
  const used = new Set<string>();
  const resolving = new Set<string>();
  let stepsVisited = 0;

  const stepDigestList = (uri: string): Uint8Array => {
    const hashAt = uri.indexOf('#');
    if (hashAt < 0 || hashAt === uri.length - 1)
      throw malformed(`invalid hash step URI ${uri.slice(0, 100)}`);
    const base = uri.slice(0, hashAt);
    if (base !== '' && base !== chainFile)
      throw malformed(`hash step in an unknown chain ${base.slice(0, 100)}`);
    const id = uri.slice(hashAt + 1);
    const items = chain.steps.get(id);
    if (!items) throw malformed(`no hash step ${id.slice(0, 100)}`);
    if (resolving.has(id) || ++stepsVisited > MAX_STEPS) throw malformed('hash steps form a cycle');
    resolving.add(id);
    const values = items.map((item) => {
      const hash = item.hash ?? chain.defaultHash;
      if (!hash) throw malformed('hash chain value without a digest method');
      if (item.kind === 'HashValue') return { hash, value: item.value };
      if (item.kind === 'StepRef') return { hash, value: digest(hash, stepDigestList(item.uri)) };
      const input = inputs.get(item.uri);
      if (!input || input.hash !== hash)
        throw new SignatureError(
          'InvalidReference',
          `hash chain refers to unknown data ${item.uri.slice(0, 100)}`,
        );
      if (item.value && !bytesEqual(item.value, input.value))
        throw new SignatureError(
          'InvalidHashChainRef',
          `invalid digest in hash chain reference to ${item.uri}`,
        );
      used.add(item.uri);
      return input;
    });
    resolving.delete(id);
    return digestList(values);
  };

  if (!bytesEqual(digest(result.hash, stepDigestList(result.uri)), result.value))
    throw new SignatureError('InvalidHashChain', 'hash chain result does not match the hash chain');
  for (const name of inputs.keys())
    if (!used.has(name))
      throw new SignatureError('HashChainUnusedInputs', `input ${name} is not referenced by the hash chain`);
  return result;
}
