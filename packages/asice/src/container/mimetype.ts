/** The `mimetype` entry of an ASiC container (EN 319 162-1 A.1). */

export const MIMETYPE_ASICE = 'application/vnd.etsi.asic-e+zip';
export const MIMETYPE_ASICS = 'application/vnd.etsi.asic-s+zip';

export type ContainerFormat = 'ASiC-E' | 'ASiC-S';

export interface MimetypeContent {
  readonly format: ContainerFormat;
  /** False when the bytes were not exactly the media type (BOM, whitespace, letter case). */
  readonly exact: boolean;
}

/**
 * The container format a `mimetype` entry declares, read as digidoc4j reads it (byte order mark
 * dropped, surrounding whitespace trimmed, letter case ignored), or undefined for anything else.
 */
export function readMimetype(bytes: Uint8Array): MimetypeContent | undefined {
  const text = Buffer.from(bytes).toString('utf8');
  const value = text
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
  const format = value === MIMETYPE_ASICE ? 'ASiC-E' : value === MIMETYPE_ASICS ? 'ASiC-S' : undefined;
  if (!format) return undefined;
  return { format, exact: text === mimetypeOf(format) };
}

export function mimetypeOf(format: ContainerFormat): string {
  return format === 'ASiC-E' ? MIMETYPE_ASICE : MIMETYPE_ASICS;
}
