/**
 * The validation report as DigiDoc prints it: the container verdict, then each signature (or
 * time-stamp token) with its indication, signer, times and the findings grouped as errors and
 * warnings, each with its code and reason. Also the exit code each verdict maps to.
 */
import type { ContainerValidationResult, ContainerVerdict, Finding } from '@riik/asice';

/** 0 valid (warnings allowed), 1 invalid, 2 indeterminate (or unsigned), 3 cannot be opened, 4 unsupported. */
export const EXIT_CODES: Record<ContainerVerdict, number> = {
  VALID: 0,
  INVALID: 1,
  INDETERMINATE: 2,
  UNSIGNED: 2,
  OPEN_ERROR: 3,
  UNSUPPORTED: 4,
};

const VERDICT_TEXT: Record<ContainerVerdict, string> = {
  VALID: 'all signatures are valid',
  INVALID: 'the container or a signature is invalid',
  INDETERMINATE: 'validity cannot be established',
  UNSIGNED: 'the container has no signatures',
  OPEN_ERROR: 'the container cannot be opened',
  UNSUPPORTED: 'the container holds a signature form riik does not validate',
};

function findingLines(findings: readonly Finding[], indent: string): string[] {
  const groups: Array<[string, readonly Finding[]]> = [
    ['errors', findings.filter((f) => f.severity === 'invalid' || f.severity === 'indeterminate')],
    ['unsupported', findings.filter((f) => f.severity === 'unsupported')],
    ['warnings', findings.filter((f) => f.severity === 'warning')],
    ['notes', findings.filter((f) => f.severity === 'info')],
  ];
  const lines: string[] = [];
  for (const [label, list] of groups) {
    if (list.length === 0) continue;
    lines.push(`${indent}${label}:`);
    for (const f of list) lines.push(`${indent}  ${f.code}: ${f.message}`);
  }
  return lines;
}

export function renderReport(file: string, r: ContainerValidationResult, trustSource: string): string {
  const lines: string[] = [`${file}: ${r.format ?? 'unknown format'}`];
  if (r.error) lines.push(`  ${r.error.code}: ${r.error.message}`);
  lines.push(...findingLines(r.containerFindings, '  '));
  r.signatures.forEach((s, i) => {
    lines.push(
      `signature ${i + 1} ${s.id ?? '(no Id)'} in ${s.file}: ${s.indication}${s.hasWarnings ? ' (with warnings)' : ''}`,
    );
    if (s.signer) lines.push(`  signer:           ${s.signer}`);
    lines.push(`  level:            ${s.level === 'TM' ? 'BDOC time-mark' : `XAdES-BASELINE-${s.level}`}`);
    if (s.claimedSigningTime) lines.push(`  claimed time:     ${s.claimedSigningTime.toISOString()}`);
    if (s.bestSignatureTime) lines.push(`  time-stamp time:  ${s.bestSignatureTime.toISOString()}`);
    if (s.signedFiles.length > 0) lines.push(`  signed files:     ${s.signedFiles.join(', ')}`);
    lines.push(...findingLines(s.findings, '  '));
  });
  r.timeStampTokens.forEach((t) => {
    lines.push(
      `time-stamp ${t.file}: ${t.indication}${t.coversDataFile ? '' : ' (does not cover the data file)'}`,
    );
    lines.push(...findingLines(t.findings, '  '));
  });
  lines.push(`trust: ${trustSource}`);
  lines.push(
    `${r.verdict}${r.verdict === 'VALID' && r.hasWarnings ? ' (with warnings)' : ''}: ${VERDICT_TEXT[r.verdict]}`,
  );
  return lines.join('\n') + '\n';
}

/** The result as JSON-safe data (dates as ISO strings), with the exit code. */
export function reportJson(file: string, r: ContainerValidationResult, trustSource: string): unknown {
  return JSON.parse(
    JSON.stringify(
      { file, ...r, trust: trustSource, exitCode: EXIT_CODES[r.verdict] },
      (_k, v: unknown) => v,
    ),
  );
}
