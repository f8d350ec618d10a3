import { rootFromInclusionProof } from '@riik/core';
import { calendarLeafHash } from './entry.js';
import { KsiError } from './errors.js';
import { encodePublication, type Publication } from './publication.js';
import { signatureCheckpoint, type KsiSignature } from './signature.js';
import { publicationMismatch } from './verify.js';

/**
 * Extend a signature to a publication: attach the publication and the consistency proof from
 * the signature's checkpoint size to the publication's size (RFC 9162 §2.1.4). The extension is
 * checked before it is returned (PUBLICATION_MISMATCH otherwise), so a service cannot hand out
 * an extension that would later fail.
 */
export function extendSignature(
  sig: KsiSignature,
  publication: Publication,
  consistency: Uint8Array[],
): KsiSignature {
  const checkpoint = signatureCheckpoint(sig);
  const calendarRoot = rootFromInclusionProof(
    sig.calendarIndex,
    checkpoint.treeSize,
    calendarLeafHash(sig.roundTime, sig.roundRoot),
    sig.calendarPath,
  );
  const extended: KsiSignature = {
    ...sig,
    publication: { code: encodePublication(publication), consistency },
  };
  const reason = publicationMismatch(extended, checkpoint.treeSize, calendarRoot, publication);
  if (reason) throw new KsiError('PUBLICATION_MISMATCH', `cannot extend: ${reason}`);
  return extended;
}

/** The earliest publication a signature can be extended to (its checkpoint size or later). */
export function publicationFor(
  sig: KsiSignature,
  publications: readonly Publication[],
): Publication | undefined {
  const size = signatureCheckpoint(sig).treeSize;
  return publications
    .filter((p) => p.size >= size && p.time >= Math.floor(sig.roundTime / 1000))
    .sort((a, b) => a.size - b.size)[0];
}
