/** RFC 5280 §5.3.1 CRLReason; value 7 is unused. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type RevocationReason = keyof typeof CRL_REASONS;

export function reasonName(code: number): RevocationReason | undefined {
  return (Object.entries(CRL_REASONS) as Array<[RevocationReason, number]>).find(([, c]) => c === code)?.[0];
}

export function isRevocationReason(value: string): value is RevocationReason {
  return Object.hasOwn(CRL_REASONS, value);
}
