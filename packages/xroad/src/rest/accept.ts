/**
 * Just enough of HTTP content negotiation (RFC 9110 §12.5.1) for what a Security Server produces itself:
 * error bodies and metaservice responses. PR-REST §4.3: without an Accept header the Security Server uses
 * `application/json`.
 */

export const DEFAULT_CONTENT_TYPE = 'application/json';

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

// An Accept header is read only this far; nobody lists more media ranges than this.
const MAX_RANGES = 64;

function parseAccept(values: ReadonlyArray<string>): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const value of values) {
    for (const item of value.split(',', MAX_RANGES)) {
      const [range = '', ...params] = item.split(';');
      const [type, subtype] = range.trim().toLowerCase().split('/');
      if (!type || !subtype) continue;
      let q = 1;
      for (const param of params) {
        const [key, val] = param.split('=');
        if (key?.trim().toLowerCase() === 'q') {
          const parsed = Number(val?.trim());
          q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
        }
      }
      ranges.push({ type, subtype, q });
      if (ranges.length >= MAX_RANGES) return ranges;
    }
  }
  return ranges;
}

/** The quality the Accept ranges give `mediaType`: the most specific matching range decides. */
function quality(ranges: ReadonlyArray<MediaRange>, mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return best < 0 ? 0 : q;
}

/**
 * Picks the best of `offered` (in order of preference) for the Accept header values; the first offered
 * type when there is no Accept header or nothing offered is acceptable (a Security Server must still
 * answer, and answers in its default).
 */
export function negotiateContentType<T extends string>(
  accept: string | ReadonlyArray<string> | null | undefined,
  offered: readonly [T, ...T[]],
): T {
  const values =
    accept === null || accept === undefined ? [] : typeof accept === 'string' ? [accept] : accept;
  const ranges = parseAccept(values);
  if (ranges.length === 0) return offered[0];
  let chosen = offered[0];
  let bestQ = 0;
  for (const type of offered) {
    const q = quality(ranges, type);
    if (q > bestQ) {
      bestQ = q;
      chosen = type;
    }
  }
  return chosen;
}

/** True when the Accept values name `mediaType` itself with a non-zero quality. */
export function acceptsExactly(
  accept: string | ReadonlyArray<string> | null | undefined,
  mediaType: string,
): boolean {
  const values =
    accept === null || accept === undefined ? [] : typeof accept === 'string' ? [accept] : accept;
  const [type, subtype] = mediaType.toLowerCase().split('/');
  return parseAccept(values).some((r) => r.type === type && r.subtype === subtype && r.q > 0);
}
