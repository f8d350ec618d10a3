/**
 * META-INF/manifest.xml, the OpenDocument manifest (ODF 1.2 part 3, section 4) that ASiC-E uses
 * to list its data files and their media types (EN 319 162-1 A.2.2).
 */
import { AsiceError } from '../errors.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse.js';
import { unsafePathReason } from '../zip/names.js';

export interface ManifestEntry {
  readonly fullPath: string;
  readonly mediaType: string;
}

export interface Manifest {
  /** Media type of the `/` entry (the container itself), when listed. */
  readonly rootMediaType?: string;
  /** File entries (directories and `/` left out), in document order. */
  readonly entries: readonly ManifestEntry[];
}

function malformed(message: string): AsiceError {
  return new AsiceError('CONTAINER_MANIFEST_MALFORMED', message);
}

export function parseManifest(bytes: Uint8Array): Manifest {
  const doc = parseXml(bytes, { maxBytes: 4 * 1024 * 1024 });
  const root = doc.documentElement!;
  if (!isNamed(root, NS.manifest, 'manifest')) throw malformed('manifest.xml root is not manifest:manifest');
  let rootMediaType: string | undefined;
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (const el of elementChildren(root)) {
    if (!isNamed(el, NS.manifest, 'file-entry')) continue; // ODF allows other elements
    if (!el.hasAttributeNS(NS.manifest, 'full-path'))
      throw malformed('manifest:file-entry without manifest:full-path');
    const fullPath = el.getAttributeNS(NS.manifest, 'full-path') ?? '';
    const mediaType = el.getAttributeNS(NS.manifest, 'media-type') ?? '';
    if (fullPath === '/') {
      rootMediaType = mediaType;
      continue;
    }
    const reason = unsafePathReason(fullPath);
    if (reason) {
      throw new AsiceError(
        'CONTAINER_MANIFEST_INVALID_PATH',
        `manifest lists an illegal path ${JSON.stringify(fullPath)}: ${reason}`,
      );
    }
    if (fullPath.endsWith('/')) continue; // directory entry
    if (seen.has(fullPath)) {
      throw new AsiceError('CONTAINER_DUPLICATE_ENTRY', `manifest lists ${fullPath} more than once`);
    }
    seen.add(fullPath);
    entries.push({ fullPath, mediaType });
  }
  return { ...(rootMediaType !== undefined ? { rootMediaType } : {}), entries };
}

/** A manifest listing `entries` under a `/` entry for the container media type. */
export function buildManifest(containerMediaType: string, entries: readonly ManifestEntry[]): Buffer {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>',
    `<manifest:manifest xmlns:manifest="${NS.manifest}" manifest:version="1.2">`,
    fileEntry('/', containerMediaType),
    ...entries.map((e) => fileEntry(e.fullPath, e.mediaType)),
    '</manifest:manifest>',
    '',
  ];
  return Buffer.from(lines.join('\n'), 'utf8');
}

function fileEntry(path: string, mediaType: string): string {
  return `  <manifest:file-entry manifest:full-path="${escapeXmlAttribute(path)}" manifest:media-type="${escapeXmlAttribute(mediaType)}"/>`;
}

export function escapeXmlAttribute(value: string): string {
  return value.replace(
    /[&<>"\t\n\r]/g,
    (c) =>
      ({
        '&': '&amp;',
        '<': '&lt;',
        '>': '&gt;',
        '"': '&quot;',
        '\t': '&#x9;',
        '\n': '&#xA;',
        '\r': '&#xD;',
      })[c]!,
  );
}
