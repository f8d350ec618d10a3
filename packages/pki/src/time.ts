/**
 * DER time values carry whole seconds (RFC 5280 §4.1.2.5.1/.2; RFC 6960 uses GeneralizedTime the
 * same way); fractional seconds would make some verifiers reject the structure.
 */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export const DAY_MS = 86_400_000;
