/**
 * validateContainer: open, check the container, check every signature (or time-stamp token),
 * hand the PKI questions to the injected PkiChecks, and decide the verdict.
 */
import { openContainer, type OpenOptions } from '../container/open.js';
import type { Container } from '../container/model.js';
import { AsiceError } from '../errors.js';
import { indexIds } from '../xmldsig/verify.js';
import type { ZipSource } from '../zip/read.js';
import { checkTimeStampTokens } from './asics-timestamps.js';
import { checkContainer } from './container-checks.js';
import { Digester } from './digests.js';
import { finding, type Finding } from './findings.js';
import type { PkiChecks, PkiContext } from './pki.js';
import {
  containerVerdict,
  indicationOf,
  type ContainerValidationResult,
  type SignatureReport,
  type TimeStampTokenReport,
} from './result.js';
import { checkSignatureCore } from './signature.js';

export interface ValidateOptions extends OpenOptions {
  /** Chain, revocation and time-stamp checks; without them signatures stay INDETERMINATE (pending). */
  pki?: PkiChecks;
  /** The validation time handed to the PKI checks. */
  now?: () => Date;
}

export async function validateContainer(
  source: ZipSource,
  options: ValidateOptions = {},
): Promise<ContainerValidationResult> {
  let container: Container;
  try {
    container = await openContainer(source, options);
  } catch (err) {
    if (!(err instanceof AsiceError)) throw err;
    return openError(err);
  }
  try {
    return await validateOpenContainer(container, options);
  } catch (err) {
    // a data file that turns out corrupt while it is digested (bad deflate stream, CRC-32)
    if (err instanceof AsiceError) return openError(err);
    throw err;
  } finally {
    container.close();
  }
}

function openError(err: AsiceError): ContainerValidationResult {
  return {
    verdict: err.code === 'CONTAINER_UNSUPPORTED_FORMAT' ? 'UNSUPPORTED' : 'OPEN_ERROR',
    error: { code: err.code, message: err.message },
    containerFindings: [],
    signatures: [],
    timeStampTokens: [],
    hasWarnings: false,
    complete: true,
  };
}

/** Validation of an already opened container (the caller keeps ownership and closes it). */
export async function validateOpenContainer(
  container: Container,
  options: Pick<ValidateOptions, 'pki' | 'now'> = {},
): Promise<ContainerValidationResult> {
  const context: PkiContext = { validationTime: (options.now ?? (() => new Date()))() };
  const digester = new Digester(container.zip);
  const containerFindings = checkContainer(container);

  const signatures: SignatureReport[] = [];
  for (const file of container.signatureFiles) {
    const ids = indexIds(file.document);
    for (const signature of file.signatures) {
      const core = await checkSignatureCore({ container, file, ids, digester }, signature);
      const findings: Finding[] = [...core.findings];
      let bestSignatureTime: Date | undefined;
      let pkiChecked = false;
      const supportedLevel = signature.level === 'LT' || signature.level === 'LTA';
      if (core.pkiInput && supportedLevel && options.pki) {
        const pki = await options.pki.checkSignature(core.pkiInput, context);
        findings.push(...pki.findings);
        bestSignatureTime = pki.bestSignatureTime;
        pkiChecked = true;
      } else if (core.pkiInput && supportedLevel) {
        findings.push(finding('PKI_CHECKS_NOT_PERFORMED'));
      }
      const claimed = signature.qualifyingProperties.signedProperties.signingTime;
      signatures.push({
        ...(signature.xml.id !== undefined ? { id: signature.xml.id } : {}),
        file: file.name,
        level: signature.level,
        indication: indicationOf(findings),
        hasWarnings: findings.some((f) => f.severity === 'warning'),
        findings,
        signedFiles: core.signedFiles,
        ...(core.signingCertificate ? { signer: core.signingCertificate.subjectText } : {}),
        ...(claimed ? { claimedSigningTime: claimed } : {}),
        ...(bestSignatureTime ? { bestSignatureTime } : {}),
        pkiChecked,
      });
    }
  }

  const timeStampTokens: TimeStampTokenReport[] = [];
  if (container.timeStampTokens.length > 0) {
    const checked = await checkTimeStampTokens(container, digester);
    containerFindings.push(...checked.containerFindings);
    for (const token of checked.tokens) {
      const findings: Finding[] = [...token.findings];
      if (options.pki)
        findings.push(...(await options.pki.checkContainerTimeStamp(token.pkiInput, context)).findings);
      else findings.push(finding('PKI_CHECKS_NOT_PERFORMED'));
      timeStampTokens.push({
        file: token.token.name,
        indication: indicationOf(findings),
        hasWarnings: findings.some((f) => f.severity === 'warning'),
        findings,
        coversDataFile: token.pkiInput.coversDataFile,
        pkiChecked: options.pki !== undefined,
      });
    }
  }

  const all = [
    ...containerFindings,
    ...signatures.flatMap((s) => s.findings),
    ...timeStampTokens.flatMap((t) => t.findings),
  ];
  return {
    verdict: containerVerdict(containerFindings, signatures, timeStampTokens),
    format: container.format,
    containerFindings,
    signatures,
    timeStampTokens,
    hasWarnings: all.some((f) => f.severity === 'warning'),
    complete: !all.some((f) => f.code === 'PKI_CHECKS_NOT_PERFORMED'),
  };
}
