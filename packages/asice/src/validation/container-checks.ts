/**
 * Container-level checks: the file set of ZIP, manifest and signatures must agree, every data
 * file must be signed, signature file names must be unique. These mirror digidoc4j's
 * ManifestValidator and AsicContainerValidator (and libdigidocpp's rule that each signature covers
 * every data file); a failure makes the container INVALID before any signature is looked at.
 */
import type { Container } from '../container/model.js';
import { mimetypeOf } from '../container/mimetype.js';
import type { XadesSignature } from '../xades/model.js';
import { fileNameFromUri, isSameDocumentUri } from '../xmldsig/uri.js';
import { finding, type Finding } from './findings.js';
import { SIGNED_PROPERTIES_TYPE } from './signature.js';

/** A data file a signature names, with the media type its DataObjectFormat gives. */
interface SignedEntry {
  readonly name: string;
  readonly mediaType: string | undefined;
}

export function checkContainer(container: Container): Finding[] {
  const findings: Finding[] = [...container.notices];
  for (const name of container.cadesSignatureFiles) findings.push(finding('CADES_SIGNATURE', name, name));
  for (const name of container.unsupportedEntries) findings.push(finding('UNSUPPORTED_ENTRY', name, name));
  for (const file of container.dataFiles)
    if (file.size === 0) findings.push(finding('EMPTY_DATA_FILE', file.name, file.name));

  const seen = new Set<string>();
  for (const file of container.signatureFiles) {
    if (seen.has(file.name)) findings.push(finding('DUPLICATE_SIGNATURE_FILE', file.name, file.name));
    seen.add(file.name);
  }
  if (container.format === 'ASiC-S' && container.signatureFiles.length > 1) {
    findings.push(
      finding('ASICS_MULTIPLE_SIGNATURE_FILES', `${container.signatureFiles.length} signature files`),
    );
  }
  if (container.format === 'ASiC-E') findings.push(...checkManifest(container));
  // every signature covers every data file (libdigidocpp's rule; digidoc4j checks the last signature)
  for (const signature of container.signatures) {
    const signed = new Set(signedEntries(signature).map((e) => e.name));
    for (const file of container.dataFiles) {
      if (!signed.has(file.name) && !signed.has(file.name.replace(/ /g, '+'))) {
        findings.push(
          finding('DATA_FILE_NOT_SIGNED', `${file.name} by ${signatureLabel(signature)}`, file.name),
        );
      }
    }
  }
  return findings;
}

function checkManifest(container: Container): Finding[] {
  const manifest = container.manifest;
  if (!manifest) return [finding('MANIFEST_MISSING')];
  const findings: Finding[] = [];
  if (manifest.rootMediaType !== mimetypeOf(container.format)) {
    findings.push(finding('MANIFEST_ROOT_MEDIA_TYPE', manifest.rootMediaType ?? 'no "/" entry'));
  }
  const zipNames = new Set(container.dataFiles.map((f) => f.name));
  const manifestNames = new Set(manifest.entries.map((e) => e.fullPath));
  for (const entry of manifest.entries) {
    if (!zipNames.has(entry.fullPath))
      findings.push(finding('MANIFEST_FILE_MISSING', entry.fullPath, entry.fullPath));
  }
  for (const file of container.dataFiles) {
    if (!manifestNames.has(file.name))
      findings.push(finding('DATA_FILE_NOT_IN_MANIFEST', file.name, file.name));
  }
  for (const signature of container.signatures) {
    findings.push(
      ...compareWithManifest(manifest.entries, signedEntries(signature), signatureLabel(signature)),
    );
  }
  return findings;
}

/**
 * The manifest's (name, media type) pairs against one signature's. Like digidoc4j, a signature
 * URI with `+` where the file name has a space is tolerated here: the signature-level check
 * reports that reference as SIGNED_DATA_NOT_FOUND (INDETERMINATE), not as a container error.
 */
function compareWithManifest(
  manifest: ReadonlyArray<{ fullPath: string; mediaType: string }>,
  signed: readonly SignedEntry[],
  label: string,
): Finding[] {
  if (signed.length === 0) return [];
  const key = (name: string, type: string | undefined): string => `${name}\u0000${type ?? ''}`;
  const signedKeys = new Set(signed.map((e) => key(e.name, e.mediaType)));
  const signedAltKeys = new Set(signed.map((e) => key(e.name.replace(/\+/g, ' '), e.mediaType)));
  const manifestKeys = new Set(manifest.map((e) => key(e.fullPath, e.mediaType)));
  const findings: Finding[] = [];
  const unmatchedManifest = manifest.filter((e) => !signedKeys.has(key(e.fullPath, e.mediaType)));
  const unmatchedManifestAlt = manifest.filter((e) => !signedAltKeys.has(key(e.fullPath, e.mediaType)));
  const mismatched = new Set<SignedEntry>();
  if (unmatchedManifest.length > 0 && unmatchedManifestAlt.length > 0) {
    for (const entry of unmatchedManifest) {
      const sameName = signed.find((s) => s.name === entry.fullPath);
      if (sameName) {
        mismatched.add(sameName);
        findings.push(
          finding(
            'MANIFEST_MEDIA_TYPE_MISMATCH',
            `${entry.fullPath}: manifest ${entry.mediaType}, ${label} ${sameName.mediaType ?? '(none)'}`,
            entry.fullPath,
          ),
        );
      } else {
        findings.push(finding('MANIFEST_FILE_NOT_SIGNED', `${entry.fullPath} by ${label}`, entry.fullPath));
      }
    }
  }
  const unmatchedSigned = signed.filter(
    (e) => !mismatched.has(e) && !manifestKeys.has(key(e.name, e.mediaType)),
  );
  const unmatchedSignedAlt = signed.filter(
    (e) => !manifestKeys.has(key(e.name.replace(/\+/g, ' '), e.mediaType)),
  );
  if (unmatchedSigned.length > 0 && unmatchedSignedAlt.length > 0) {
    for (const entry of unmatchedSigned) {
      findings.push(finding('SIGNED_FILE_NOT_IN_MANIFEST', `${entry.name} in ${label}`, entry.name));
    }
  }
  return findings;
}

/** The data files a signature's references name (decoded), with their DataObjectFormat media types. */
export function signedEntries(signature: XadesSignature): SignedEntry[] {
  const formats = signature.qualifyingProperties.signedProperties.dataObjectFormats;
  return signature.xml.signedInfo.references
    .filter((r) => r.type !== SIGNED_PROPERTIES_TYPE && r.uri !== undefined && !isSameDocumentUri(r.uri))
    .map((r) => ({
      name: fileNameFromUri(r.uri!),
      mediaType: r.id ? formats.find((f) => f.objectReference === `#${r.id}`)?.mimeType : undefined,
    }));
}

export function signatureLabel(signature: XadesSignature): string {
  return `signature ${signature.xml.id ?? '(no Id)'} in ${signature.file}`;
}
