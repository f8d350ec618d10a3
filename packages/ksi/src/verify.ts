import {
  aggregationLeafHash,
  bytesEqual,
  MerkleError,
  NoteError,
  openCheckpoint,
  parseVerifierKey,
  rootFromInclusionProof,
  verifyConsistency,
  type NoteVerifier,
} from '@riik/core';
import { calendarLeafHash } from './entry.js';
import { KsiError } from './errors.js';
import { documentHashAlgorithm, hashDocument } from './hashes.js';
import { decodePublication, normalizePublicationCode, type Publication } from './publication.js';
import { parseSignature, signatureCheckpoint, type KsiSignature } from './signature.js';

/** What failed, named so a person can act on it. */
export type KsiVerificationCode =
  | 'OK'
  | 'MALFORMED_SIGNATURE'
  | 'UNSUPPORTED_HASH'
  | 'DOCUMENT_HASH_MISMATCH'
  | 'BROKEN_PATH'
  | 'ROOT_NOT_IN_CALENDAR'
  | 'CHECKPOINT_SIGNATURE'
  | 'NOT_EXTENDED'
  | 'BAD_PUBLICATION_CODE'
  | 'PUBLICATION_MISMATCH';

export interface KsiVerification {
  valid: boolean;
  code: KsiVerificationCode;
  message: string;
  signature?: KsiSignature;
  /** When the round closed: the time the calendar vouches for. */
  time?: Date;
  calendarIndex?: number;
  /** What the verdict rests on. */
  anchor?: 'checkpoint' | 'publication';
}

export interface VerifyKsiOptions {
  /** The signed document (hashed with the algorithm the signature's hash length names), or its digest. */
  document?: Uint8Array;
  documentHash?: Uint8Array;
  /** The calendar's checkpoint key (a vkey or a verifier); the signature's checkpoint must verify with it. */
  checkpointKey?: string | NoteVerifier;
  /** Checkpoint origin expected (default: the key's name). */
  origin?: string;
  /** A publication code: the signature must be extended to it; then no key is needed. */
  publication?: string;
}

/** Height of an RFC 6962 tree of `size` leaves: ceil(log2(size)). */
export function treeHeight(size: number): number {
  return size <= 1 ? 0 : Math.ceil(Math.log2(size));
}

/** The round root a signature's aggregation steps compute, or the failure. */
export function aggregationRoot(sig: KsiSignature): Uint8Array {
  let input = sig.hash;
  let level = sig.aggregation[0]!.level;
  for (const [k, step] of sig.aggregation.entries()) {
    if (step.level < level)
      throw new KsiError(
        'MALFORMED_SIGNATURE',
        `aggregation step ${k + 1} claims level ${step.level} < ${level}`,
      );
    input = rootFromInclusionProof(step.index, step.size, aggregationLeafHash(input, step.level), step.path);
    level = step.level + treeHeight(step.size);
  }
  return input;
}

/**
 * Verify a riik signature offline, in the order the hash chain runs: the document's digest is
 * the signed hash (DOCUMENT_HASH_MISMATCH); the aggregation steps lead to the round root
 * (BROKEN_PATH); the calendar entry of that root is in the checkpoint's tree
 * (ROOT_NOT_IN_CALENDAR); and then the anchor: the checkpoint's signature by the calendar key
 * (CHECKPOINT_SIGNATURE), or, for a publication code, the extension's consistency proof up to
 * the published root (NOT_EXTENDED, BAD_PUBLICATION_CODE, PUBLICATION_MISMATCH).
 */
export function verifyKsiSignature(
  input: string | Uint8Array | KsiSignature,
  options: VerifyKsiOptions,
): KsiVerification {
  if (!options.checkpointKey && !options.publication)
    throw new KsiError('BAD_ARGUMENT', 'a checkpoint key or a publication code is required');
  let sig: KsiSignature;
  try {
    sig = typeof input === 'string' || input instanceof Uint8Array ? parseSignature(input) : input;
  } catch (err) {
    if (err instanceof KsiError) return { valid: false, code: 'MALFORMED_SIGNATURE', message: err.message };
    throw err;
  }
  const fail = (code: KsiVerificationCode, message: string): KsiVerification => ({
    valid: false,
    code,
    message,
    signature: sig,
  });

  // 1. The document.
  if (options.document !== undefined || options.documentHash !== undefined) {
    const algorithm = documentHashAlgorithm(sig.hash);
    if (sig.aggregation[0]!.level !== 0 || !algorithm)
      return fail('UNSUPPORTED_HASH', 'the signed hash is not a SHA-256/384/512 document digest');
    const digest = options.documentHash ?? hashDocument(options.document!, algorithm);
    if (!bytesEqual(digest, sig.hash))
      return fail('DOCUMENT_HASH_MISMATCH', `wrong document: its ${algorithm} is not the signed hash`);
  }

  // 2. The aggregation path up to the round root.
  try {
    if (!bytesEqual(aggregationRoot(sig), sig.roundRoot))
      return fail('BROKEN_PATH', 'the aggregation path does not lead to the round root');
  } catch (err) {
    if (err instanceof MerkleError || err instanceof KsiError)
      return fail('BROKEN_PATH', `broken aggregation path: ${err.message}`);
    throw err;
  }

  // 3. The round root in the calendar, at the checkpoint's size.
  const checkpoint = signatureCheckpoint(sig);
  let calendarRoot: Uint8Array;
  try {
    calendarRoot = rootFromInclusionProof(
      sig.calendarIndex,
      checkpoint.treeSize,
      calendarLeafHash(sig.roundTime, sig.roundRoot),
      sig.calendarPath,
    );
  } catch (err) {
    if (err instanceof MerkleError) return fail('ROOT_NOT_IN_CALENDAR', `calendar proof: ${err.message}`);
    throw err;
  }
  if (!bytesEqual(calendarRoot, checkpoint.rootHash))
    return fail('ROOT_NOT_IN_CALENDAR', 'the round root is not in the calendar at the checkpoint');
  const ok = (anchor: 'checkpoint' | 'publication', message: string): KsiVerification => ({
    valid: true,
    code: 'OK',
    message,
    signature: sig,
    time: new Date(sig.roundTime),
    calendarIndex: sig.calendarIndex,
    anchor,
  });

  // 4a. A publication: no key, the published root.
  if (options.publication) {
    let wanted: Publication;
    try {
      wanted = decodePublication(options.publication);
    } catch (err) {
      return fail('BAD_PUBLICATION_CODE', (err as Error).message);
    }
    if (!sig.publication)
      return fail('NOT_EXTENDED', 'the signature is not extended to a publication (riik ksi extend)');
    let own: string;
    try {
      own = normalizePublicationCode(sig.publication.code);
    } catch (err) {
      return fail('BAD_PUBLICATION_CODE', `the signature's publication: ${(err as Error).message}`);
    }
    if (own !== normalizePublicationCode(options.publication))
      return fail('PUBLICATION_MISMATCH', 'the signature is extended to a different publication');
    const reason = publicationMismatch(sig, checkpoint.treeSize, calendarRoot, wanted);
    if (reason) return fail('PUBLICATION_MISMATCH', reason);
    return ok('publication', `in the calendar published at ${new Date(wanted.time * 1000).toISOString()}`);
  }

  // 4b. The checkpoint signature.
  try {
    const key =
      typeof options.checkpointKey === 'string'
        ? parseVerifierKey(options.checkpointKey)
        : options.checkpointKey!;
    openCheckpoint(sig.checkpoint, key, options.origin ? { origin: options.origin } : {});
  } catch (err) {
    if (err instanceof NoteError) return fail('CHECKPOINT_SIGNATURE', `checkpoint: ${err.message}`);
    throw err;
  }
  return ok('checkpoint', `in the calendar at size ${checkpoint.treeSize}, signed by ${checkpoint.origin}`);
}

/** Why an extension to `publication` does not hold, or undefined when it does. */
export function publicationMismatch(
  sig: KsiSignature,
  checkpointSize: number,
  checkpointRoot: Uint8Array,
  publication: Publication,
): string | undefined {
  if (!sig.publication) return 'not extended';
  if (publication.size < checkpointSize) return 'the publication is older than the signature';
  if (Math.floor(sig.roundTime / 1000) > publication.time) return 'the round is later than the publication';
  try {
    verifyConsistency(
      checkpointSize,
      publication.size,
      sig.publication.consistency,
      checkpointRoot,
      publication.root,
    );
  } catch (err) {
    if (err instanceof MerkleError)
      return `the calendar at the signature is not a prefix of the published one: ${err.message}`;
    throw err;
  }
  return undefined;
}
