/**
 * Time-stamped ASiC-S (EN 319 162-1 4.3.3, 4.4.2): each META-INF/timestamp*.tst covers either the
 * data file itself or the ASiCArchiveManifest whose SigReference names it; the manifest in turn
 * lists the data file, earlier tokens and earlier manifests with digests. This checks the
 * manifest side and prepares each token's covered octets for the PKI checks.
 */
import type { ArchiveManifestFile, Container, TimeStampTokenFile } from '../container/model.js';
import { digestAlgorithm } from '../xmldsig/algorithms.js';
import { fileNameFromUri } from '../xmldsig/uri.js';
import { digestsEqual } from '../xmldsig/verify.js';
import type { Digester, DigestPart } from './digests.js';
import { finding, type Finding } from './findings.js';
import type { ContainerTimeStampInput } from './pki.js';

export interface TokenCoreResult {
  readonly token: TimeStampTokenFile;
  readonly findings: readonly Finding[];
  readonly pkiInput: ContainerTimeStampInput;
}

export async function checkTimeStampTokens(
  container: Container,
  digester: Digester,
): Promise<{
  tokens: TokenCoreResult[];
  containerFindings: Finding[];
}> {
  const containerFindings: Finding[] = [];
  const tokenNames = new Set(container.timeStampTokens.map((t) => t.name));
  for (const m of container.archiveManifests) {
    const covering = fileNameFromUri(m.manifest.sigReference.uri);
    if (!tokenNames.has(covering))
      containerFindings.push(finding('ARCHIVE_MANIFEST_TOKEN_MISSING', covering, m.name));
  }
  const dataFile = container.dataFiles[0];
  const tokens: TokenCoreResult[] = [];
  for (const token of container.timeStampTokens) {
    const manifest = container.archiveManifests.find(
      (m) => fileNameFromUri(m.manifest.sigReference.uri) === token.name,
    );
    if (!manifest) {
      const parts: DigestPart[] = dataFile ? [{ dataFile }] : [];
      tokens.push({
        token,
        findings: [],
        pkiInput: {
          file: token.name,
          token: token.der,
          timeStamped: {
            description: `data file ${dataFile?.name ?? '(none)'}`,
            digest: (hash) => digester.parts(parts, hash),
          },
          coversDataFile: dataFile !== undefined,
        },
      });
      continue;
    }
    const { findings, coversDataFile } = await checkArchiveManifest(container, manifest, digester);
    tokens.push({
      token,
      findings,
      pkiInput: {
        file: token.name,
        token: token.der,
        timeStamped: {
          description: `archive manifest ${manifest.name}`,
          digest: (hash) => digester.parts([manifest.bytes], hash),
        },
        coversDataFile,
      },
    });
  }
  return { tokens, containerFindings };
}

async function checkArchiveManifest(
  container: Container,
  manifest: ArchiveManifestFile,
  digester: Digester,
): Promise<{ findings: Finding[]; coversDataFile: boolean }> {
  const findings: Finding[] = [];
  let coversDataFile = false;
  for (const ref of manifest.manifest.references) {
    const name = fileNameFromUri(ref.uri);
    const dataFile = container.dataFiles.find((f) => f.name === name);
    const other: Uint8Array | undefined =
      container.timeStampTokens.find((t) => t.name === name)?.der ??
      container.archiveManifests.find((m) => m.name === name)?.bytes;
    if (!dataFile && !other) {
      findings.push(
        finding(
          'ARCHIVE_MANIFEST_REFERENCE_NOT_FOUND',
          `${JSON.stringify(ref.uri)} in ${manifest.name}`,
          ref.uri,
        ),
      );
      continue;
    }
    const alg = digestAlgorithm(ref.digestMethod);
    if (!alg) {
      findings.push(finding('UNSUPPORTED_ALGORITHM', ref.digestMethod, name));
      continue;
    }
    if (alg.weak) findings.push(finding('WEAK_ALGORITHM', `${manifest.name} digest of ${name}`, name));
    const actual = dataFile
      ? await digester.dataFile(dataFile, alg.hash)
      : await digester.parts([other!], alg.hash);
    if (!digestsEqual(actual, ref.digestValue)) {
      findings.push(finding('ARCHIVE_MANIFEST_DIGEST_MISMATCH', `${name} in ${manifest.name}`, name));
    } else if (dataFile) {
      coversDataFile = true;
    }
  }
  return { findings, coversDataFile };
}
