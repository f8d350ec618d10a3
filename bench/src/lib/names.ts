/** A letters-only synthetic name for person number i (certificate names may not contain digits). */
export function syntheticName(prefix: string, i: number): string {
  let s = '';
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(65 + (n % 26)) + s;
    if (n < 26) break;
  }
  return `${prefix}${s}`;
}
