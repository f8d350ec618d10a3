/**
 * Large data files are streamed, never held in memory: signing a 1 GiB file into a container and
 * validating the result must not grow the process's peak RSS by more than a few tens of MB.
 */
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import {
  digestDataFile,
  finalizeSignature,
  prepareSignature,
  validateContainer,
  writeContainer,
  type DataFileInput,
} from '../src/index.js';
import { makeSigner, signPrepared, withPlaceholderLtProperties, SIGNING_TIME } from './helpers.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir('riik-asice-large-');
});
afterAll(() => dir.remove());

describe('streaming', () => {
  it('signs and validates a 1 GiB data file with peak RSS under 150 MiB', { timeout: 240_000 }, async () => {
    const signer = await makeSigner();
    const big = join(dir.path, 'big.bin');
    truncateSync((writeFileSync(big, ''), big), GiB); // sparse: a GiB of zeros without writing one
    const files: DataFileInput[] = [
      { name: 'big.bin', mediaType: 'application/octet-stream', content: { path: big } },
      { name: 'note.txt', mediaType: 'text/plain', content: Buffer.from('a large file follows') },
    ];
    const peakBefore = process.resourceUsage().maxRSS * 1024;

    const digests = await Promise.all(
      files.map(async (f) => ({
        name: f.name,
        mediaType: f.mediaType,
        digest: await digestDataFile(f.content, 'sha256'),
      })),
    );
    const prepared = prepareSignature({
      dataFiles: digests,
      signingCertificate: signer.certificate,
      signingTime: SIGNING_TIME,
    });
    const signature = withPlaceholderLtProperties(
      finalizeSignature(prepared, signPrepared(prepared, signer.privateKey)),
      signer.certificate,
    );
    const out = join(dir.path, 'big.asice');
    await writeContainer(out, { dataFiles: files, signatures: [signature], mtime: SIGNING_TIME });
    expect(statSync(out).size).toBeLessThan(8 * MiB); // zeros deflate ~1000:1
    // A GiB of zeros is also what a ZIP bomb looks like; this one is ours, so the ratio check is relaxed.
    const result = await validateContainer({ path: out }, { zipLimits: { maxCompressionRatio: 10_000 } });

    const peakAfter = process.resourceUsage().maxRSS * 1024;
    const growth = peakAfter - peakBefore;
    expect(result.signatures[0]!.findings.map((f) => f.code)).toEqual(['PKI_CHECKS_NOT_PERFORMED']);
    expect(result.signatures[0]!.signedFiles).toEqual(['big.bin', 'note.txt']);
    expect(growth).toBeLessThan(64 * MiB);
    expect(peakAfter).toBeLessThan(150 * MiB); // the whole test process, vitest included (~90 MiB of it)
    const refused = await validateContainer({ path: out });
    expect(refused.error?.code).toBe('ZIP_BOMB');
  });
});
