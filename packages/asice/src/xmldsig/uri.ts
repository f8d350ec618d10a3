/**
 * Reference URIs: which container file a detached ds:Reference names, and how a file name is
 * written as a URI when we sign.
 *
 * Reading follows DSS (and with it digidoc4j), whose verdicts the corpus records: the URI is
 * percent-decoded as UTF-8, `+` is *not* a space (it is a literal plus in a URI path), and a URI
 * that is not validly percent-encoded (`%.txt`) is taken literally. So `Faili%2Bnimi.txt` and
 * `Faili+nimi.txt` both name `Faili+nimi.txt`, while `Faili+nimi.txt` does not name
 * `Faili nimi.txt` (the validators then report the signed data object as not found).
 */

const utf8 = new TextDecoder('utf-8'); // non-fatal: invalid sequences become U+FFFD, as in Java's URLDecoder

/** The file name a detached reference URI names. */
export function fileNameFromUri(uri: string): string {
  if (!uri.includes('%')) return uri;
  const bytes: number[] = [];
  for (let i = 0; i < uri.length;) {
    const c = uri.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = uri.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return uri; // not percent-encoded: literal
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = uri.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return utf8.decode(new Uint8Array(bytes));
}

/** True for a same-document reference (`#id`). */
export function isSameDocumentUri(uri: string): boolean {
  return uri.startsWith('#');
}

/**
 * A file name as a relative URI reference (RFC 3986 path segments): unreserved characters and
 * sub-delims that are safe in a path stay, everything else is percent-encoded as UTF-8. The
 * result decodes back to the same name under `fileNameFromUri` and under libdigidocpp's decoder.
 */
export function uriFromFileName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out +=
      /[A-Za-z0-9\-._~!$&'()*,;=:@/]/.test(ch) && byte < 0x80
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
