/**
 * The validation result, shaped like DigiDoc's reports: a container verdict, container-level
 * findings, and one report per signature (or per time-stamp token of a time-stamped ASiC-S).
 *
 * Verdicts are decided in the order the DigiDoc validators decide them:
 *   OPEN_ERROR     the container cannot be opened (thrown while reading)
 *   INVALID        container structure is broken (file sets disagree, unsigned files, ...)
 *   UNSUPPORTED    a signature form riik does not validate (BDOC-TM, below LT, CAdES, DDOC)
 *   otherwise      the worst signature: INVALID, then INDETERMINATE, then VALID
 *   UNSIGNED       no signature and no time-stamp token at all
 * VALID may come with warnings (`hasWarnings`).
 */
import type { AsiceErrorCode } from '../errors.js';
import type { ContainerFormat } from '../container/mimetype.js';
import type { SignatureLevel } from '../xades/model.js';
import { worstSeverity, type Finding } from './findings.js';

export type Indication = 'VALID' | 'INVALID' | 'INDETERMINATE' | 'UNSUPPORTED';
export type ContainerVerdict = Indication | 'OPEN_ERROR' | 'UNSIGNED';

export interface SignatureReport {
  readonly id?: string;
  /** The signature file it is in. */
  readonly file: string;
  readonly level: SignatureLevel;
  readonly indication: Indication;
  /** VALID with warnings when true (a weak digest, an implied policy, ...). */
  readonly hasWarnings: boolean;
  readonly findings: readonly Finding[];
  /** Data files its references resolve to. */
  readonly signedFiles: readonly string[];
  /** Subject of the identified signing certificate. */
  readonly signer?: string;
  readonly claimedSigningTime?: Date;
  readonly bestSignatureTime?: Date;
  /**
   * False when no PKI checks ran: the chain, revocation and time-stamp questions are then open
   * (PKI_CHECKS_NOT_PERFORMED) and the signature cannot be better than INDETERMINATE.
   */
  readonly pkiChecked: boolean;
}

export interface TimeStampTokenReport {
  readonly file: string;
  readonly indication: Indication;
  readonly hasWarnings: boolean;
  readonly findings: readonly Finding[];
  readonly coversDataFile: boolean;
  readonly pkiChecked: boolean;
}

export interface ContainerValidationResult {
  readonly verdict: ContainerVerdict;
  readonly format?: ContainerFormat;
  /** Why the container could not be opened, for OPEN_ERROR (and UNSUPPORTED legacy formats). */
  readonly error?: { readonly code: AsiceErrorCode; readonly message: string };
  readonly containerFindings: readonly Finding[];
  readonly signatures: readonly SignatureReport[];
  readonly timeStampTokens: readonly TimeStampTokenReport[];
  readonly hasWarnings: boolean;
  /** True when every check ran (PKI checks included). */
  readonly complete: boolean;
}

/** A signature's (or token's) indication: UNSUPPORTED first, then the worst finding. */
export function indicationOf(findings: readonly Finding[]): Indication {
  if (findings.some((f) => f.severity === 'unsupported')) return 'UNSUPPORTED';
  const worst = worstSeverity(findings);
  if (worst === 'invalid') return 'INVALID';
  if (worst === 'indeterminate') return 'INDETERMINATE';
  return 'VALID';
}

export function containerVerdict(
  containerFindings: readonly Finding[],
  signatures: readonly SignatureReport[],
  tokens: readonly TimeStampTokenReport[],
): ContainerVerdict {
  const worst = worstSeverity(containerFindings);
  if (worst === 'invalid') return 'INVALID';
  if (containerFindings.some((f) => f.severity === 'unsupported')) return 'UNSUPPORTED';
  if (signatures.some((s) => s.indication === 'UNSUPPORTED')) return 'UNSUPPORTED';
  if (signatures.length > 0) {
    if (signatures.some((s) => s.indication === 'INVALID')) return 'INVALID';
    if (worst === 'indeterminate' || signatures.some((s) => s.indication === 'INDETERMINATE'))
      return 'INDETERMINATE';
    return 'VALID';
  }
  if (tokens.length > 0) return timeStampedVerdict(tokens, worst === 'indeterminate');
  return 'UNSIGNED';
}

/**
 * digidoc4j's rule for time-stamped ASiC-S (AsicSTimestampedContainerValidationResult): the
 * container is valid when at least one token is valid, whatever the others say.
 */
function timeStampedVerdict(
  tokens: readonly TimeStampTokenReport[],
  containerIndeterminate: boolean,
): ContainerVerdict {
  if (tokens.some((t) => t.indication === 'VALID') && !containerIndeterminate) return 'VALID';
  if (tokens.some((t) => t.indication === 'INDETERMINATE') || containerIndeterminate) return 'INDETERMINATE';
  return 'INVALID';
}
