import { AsiceError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a ZIP entry name. The DigiDoc validators (Java's ZipFile with UTF-8, libdigidocpp's
 * minizip) read every name as UTF-8 whatever the language-encoding flag says, so we do too;
 * bytes that are not UTF-8 are refused rather than guessed at as CP437.
 */
export function decodeEntryName(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch (cause) {
    throw new AsiceError('ZIP_BAD_FILE_NAME', 'ZIP entry name is not valid UTF-8', { cause });
  }
}

/**
 * Why `name` is not a safe relative path inside a container, or undefined when it is.
 *
 * A directory entry ends in `/`. Everything that could escape or confuse an extraction
 * directory is refused: absolute paths, drive letters, backslashes, `.`/`..` and empty segments,
 * control characters.
 */
export function unsafePathReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.includes('\\')) return 'backslash in name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  for (const segment of segments) {
    if (segment === '') return 'empty path segment';
    if (segment === '.' || segment === '..') return `'${segment}' path segment`;
  }
  return undefined;
}

export function assertSafePath(name: string): void {
  const reason = unsafePathReason(name);
  if (reason)
    throw new AsiceError('ZIP_UNSAFE_PATH', `unsafe ZIP entry name ${JSON.stringify(name)}: ${reason}`);
}

export function isDirectoryName(name: string): boolean {
  return name.endsWith('/');
}
