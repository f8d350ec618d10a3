/**
 * The checks of one XAdES signature that need no PKI: form and level, SignedInfo algorithms,
 * every reference (data file digests streamed from the ZIP, the SignedProperties digest over the
 * one element the reference resolves to), signing-certificate identification and the
 * SignatureValue against that certificate's key. Its output includes the input the PKI checks need.
 */
import type { XmlElement } from '../xml/dom.js';
import type { Container, SignatureFile } from '../container/model.js';
import { AsiceError } from '../errors.js';
import { Certificate } from '@riik/pki/x509/certificate';
import type { XadesSignature } from '../xades/model.js';
import { identifySigningCertificate } from '../xades/signing-certificate.js';
import { archiveTimeStampInput, signatureTimeStampInput } from '../xades/timestamp-input.js';
import { isC14nAlgorithm } from '../xml/c14n.js';
import { digestAlgorithm, signatureAlgorithm } from '../xmldsig/algorithms.js';
import type { Reference } from '../xmldsig/signature.js';
import { fileNameFromUri, isSameDocumentUri } from '../xmldsig/uri.js';
import {
  digest,
  digestsEqual,
  keyFits,
  sameDocumentReferenceOctets,
  signedInfoOctets,
  verifySignatureValue,
} from '../xmldsig/verify.js';
import type { Digester, DigestPart } from './digests.js';
import { finding, type Finding } from './findings.js';
import type { SignaturePkiInput, TimeStampInput, TimeStampedData } from './pki.js';

export const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

export interface SignatureCoreResult {
  readonly findings: readonly Finding[];
  readonly signingCertificate?: Certificate;
  /** Names of the data files the signature's references resolve to. */
  readonly signedFiles: readonly string[];
  /** Present when the signing certificate was identified: the input for the PKI checks. */
  readonly pkiInput?: SignaturePkiInput;
}

export interface SignatureContext {
  readonly container: Container;
  readonly file: SignatureFile;
  /** Id index of the signature file (see xmldsig/verify.ts indexIds). */
  readonly ids: { readonly byId: ReadonlyMap<string, XmlElement>; readonly duplicates: ReadonlySet<string> };
  readonly digester: Digester;
}

export async function checkSignatureCore(
  ctx: SignatureContext,
  signature: XadesSignature,
): Promise<SignatureCoreResult> {
  const findings: Finding[] = [];
  const { xml, qualifyingProperties: qp } = signature;

  // form and level
  if (signature.level === 'TM') findings.push(finding('SIGNATURE_LEVEL_TM'));
  else if (signature.level === 'B') findings.push(finding('SIGNATURE_LEVEL_B'));
  else if (signature.level === 'T') findings.push(finding('SIGNATURE_LEVEL_T'));
  if (xml.id === undefined) findings.push(finding('SIGNATURE_ID_MISSING'));
  else if (qp.target !== `#${xml.id}`)
    findings.push(finding('QUALIFYING_PROPERTIES_TARGET_MISMATCH', qp.target));
  if (qp.signedProperties.policy?.implied) findings.push(finding('POLICY_IMPLIED'));
  for (const name of [...qp.signedProperties.unevaluated, ...qp.unsignedProperties.unevaluated]) {
    findings.push(finding('UNEVALUATED_PROPERTY', name));
  }

  // SignedInfo algorithms
  const c14nOk = isC14nAlgorithm(xml.signedInfo.canonicalizationMethod);
  if (!c14nOk) findings.push(finding('UNSUPPORTED_ALGORITHM', xml.signedInfo.canonicalizationMethod));
  const sigAlg = signatureAlgorithm(xml.signedInfo.signatureMethod);
  if (!sigAlg) findings.push(finding('UNSUPPORTED_ALGORITHM', xml.signedInfo.signatureMethod));
  else if (sigAlg.weak)
    findings.push(finding('WEAK_ALGORITHM', `signature method ${xml.signedInfo.signatureMethod}`));

  // references
  const spRefs = xml.signedInfo.references.filter((r) => r.type === SIGNED_PROPERTIES_TYPE);
  if (spRefs.length === 0) findings.push(finding('SIGNED_PROPERTIES_REFERENCE_MISSING'));
  if (spRefs.length > 1) findings.push(finding('MULTIPLE_SIGNED_PROPERTIES'));
  const signedFiles: string[] = [];
  for (const reference of xml.signedInfo.references) {
    if (reference.type === SIGNED_PROPERTIES_TYPE) {
      findings.push(...checkSignedPropertiesReference(ctx, signature, reference));
    } else {
      const result = await checkDataReference(ctx, signature, reference);
      findings.push(...result.findings);
      if (result.file) signedFiles.push(result.file);
    }
  }

  // signing certificate and SignatureValue
  await loadCandidateKeys([...xml.keyInfoCertificates, ...qp.unsignedProperties.certificateValues]);
  const identified = identifySigningCertificate(signature);
  findings.push(...identified.findings);
  const cert = identified.certificate;
  let signatureValueVerified = false;
  if (cert && sigAlg && c14nOk) {
    if (!keyFits(cert.publicKey, sigAlg)) {
      findings.push(
        finding('KEY_ALGORITHM_MISMATCH', `${sigAlg.uri} with a ${cert.publicKey.asymmetricKeyType} key`),
      );
    } else {
      const octets = unlessUnsupportedC14n(() => signedInfoOctets(xml.signedInfo));
      if (!octets) findings.push(finding('UNSUPPORTED_ALGORITHM', 'SignedInfo cannot be canonicalized'));
      else {
        signatureValueVerified = verifySignatureValue(
          sigAlg,
          cert.publicKey,
          octets,
          xml.signatureValue.value,
        );
        if (!signatureValueVerified) findings.push(finding('SIGNATURE_VALUE_INVALID', cert.subjectString));
      }
    }
  }

  const result: SignatureCoreResult = {
    findings,
    signedFiles,
    ...(cert ? { signingCertificate: cert } : {}),
  };
  if (!cert) return result;
  return { ...result, pkiInput: pkiInput(ctx, signature, cert, signatureValueVerified, findings) };
}

/**
 * The keys of the certificates the signature carries, loaded ahead of the synchronous checks that
 * use them, the quick way (Certificate.loadPublicKey): nearly every container brings a signer
 * key the validator has not seen. Failures are left to identifySigningCertificate to report.
 */
async function loadCandidateKeys(ders: readonly Uint8Array[]): Promise<void> {
  await Promise.all(
    ders.map(async (der) => {
      try {
        await Certificate.fromDer(der).loadPublicKey();
      } catch {
        // reported where the certificate is used
      }
    }),
  );
}

function checkSignedPropertiesReference(
  ctx: SignatureContext,
  signature: XadesSignature,
  reference: Reference,
): Finding[] {
  const uri = reference.uri ?? '';
  if (!isSameDocumentUri(uri))
    return [finding('SIGNED_PROPERTIES_REFERENCE_MISMATCH', `URI ${JSON.stringify(uri)}`)];
  const id = uri.slice(1);
  if (ctx.ids.duplicates.has(id)) return [finding('DUPLICATE_ID', id)];
  const target = ctx.ids.byId.get(id);
  if (target !== signature.qualifyingProperties.signedProperties.element) {
    return [finding('SIGNED_PROPERTIES_REFERENCE_MISMATCH', `#${id}`)];
  }
  const alg = digestAlgorithm(reference.digestMethod);
  if (!alg) return [finding('UNSUPPORTED_ALGORITHM', reference.digestMethod)];
  let octets: Buffer | undefined;
  try {
    octets = sameDocumentReferenceOctets(target, reference);
  } catch (err) {
    if (isUnsupportedC14n(err)) return [finding('UNSUPPORTED_ALGORITHM', (err as Error).message)];
    throw err;
  }
  if (!octets) return [finding('TRANSFORM_NOT_ALLOWED', 'SignedProperties reference transforms')];
  const out: Finding[] = [];
  if (alg.weak) out.push(finding('WEAK_ALGORITHM', `SignedProperties digest ${alg.hash}`));
  if (!digestsEqual(digest(alg.hash, octets), reference.digestValue))
    out.push(finding('SIGNED_PROPERTIES_DIGEST_MISMATCH'));
  return out;
}

async function checkDataReference(
  ctx: SignatureContext,
  signature: XadesSignature,
  reference: Reference,
): Promise<{ findings: Finding[]; file?: string }> {
  if (reference.uri === undefined || reference.uri === '')
    return { findings: [finding('REFERENCE_URI_MISSING')] };
  if (isSameDocumentUri(reference.uri)) {
    return { findings: [finding('REFERENCE_UNSUPPORTED', `same-document reference ${reference.uri}`)] };
  }
  if (reference.transforms.length > 0) {
    return {
      findings: [finding('TRANSFORM_NOT_ALLOWED', `on data reference ${reference.uri}`, reference.uri)],
    };
  }
  const findings: Finding[] = [];
  const formats = signature.qualifyingProperties.signedProperties.dataObjectFormats;
  if (
    !reference.id ||
    !formats.some((f) => f.objectReference === `#${reference.id}` && f.mimeType !== undefined)
  ) {
    findings.push(finding('DATA_OBJECT_FORMAT_MISSING', reference.uri, reference.uri));
  }
  const name = fileNameFromUri(reference.uri);
  const file = ctx.container.dataFiles.find((f) => f.name === name);
  if (!file) {
    findings.push(finding('SIGNED_DATA_NOT_FOUND', `URI ${JSON.stringify(reference.uri)}`, reference.uri));
    return { findings };
  }
  const alg = digestAlgorithm(reference.digestMethod);
  if (!alg) {
    findings.push(finding('UNSUPPORTED_ALGORITHM', reference.digestMethod, file.name));
    return { findings, file: file.name };
  }
  if (alg.weak)
    findings.push(finding('WEAK_ALGORITHM', `digest of ${file.name} with ${alg.hash}`, file.name));
  const actual = await ctx.digester.dataFile(file, alg.hash);
  if (!digestsEqual(actual, reference.digestValue)) {
    findings.push(finding('REFERENCE_DIGEST_MISMATCH', file.name, file.name));
  }
  return { findings, file: file.name };
}

function pkiInput(
  ctx: SignatureContext,
  signature: XadesSignature,
  signingCertificate: Certificate,
  signatureValueVerified: boolean,
  findings: Finding[],
): SignaturePkiInput {
  const up = signature.qualifyingProperties.unsignedProperties;
  const timeStamped = (description: string, parts: DigestPart[] | undefined): TimeStampedData | undefined =>
    parts && { description, digest: (hash) => ctx.digester.parts(parts, hash) };
  const signatureTimeStamps: TimeStampInput[] = up.signatureTimeStamps.map((property) => {
    const input = unlessUnsupportedC14n(() => signatureTimeStampInput(signature, property));
    if (!input)
      findings.push(
        finding('UNSUPPORTED_ALGORITHM', `SignatureTimeStamp ${property.canonicalizationMethod}`),
      );
    const data = timeStamped('canonicalized ds:SignatureValue', input && [input]);
    return { property, token: property.tokens[0]!, ...(data ? { timeStamped: data } : {}) };
  });
  const archiveTimeStamps: TimeStampInput[] = up.archiveTimeStamps.map((property) => {
    const parts = unlessUnsupportedC14n(() =>
      archiveTimeStampInput(
        signature,
        property,
        (name) => ctx.container.dataFiles.find((f) => f.name === name),
        (id) => (ctx.ids.duplicates.has(id) ? undefined : ctx.ids.byId.get(id)),
      ),
    );
    if (!parts) findings.push(finding('UNSUPPORTED_ALGORITHM', 'ArchiveTimeStamp input cannot be computed'));
    const data = timeStamped('ArchiveTimeStamp input (EN 319 132-1 5.5.2.2)', parts);
    return { property, token: property.tokens[0]!, ...(data ? { timeStamped: data } : {}) };
  });
  const signingTime = signature.qualifyingProperties.signedProperties.signingTime;
  return {
    signature,
    level: signature.level,
    signingCertificate,
    signatureValueVerified,
    ...(signingTime ? { claimedSigningTime: signingTime } : {}),
    certificates: [
      ...signature.xml.keyInfoCertificates,
      ...up.certificateValues,
      ...up.timeStampValidationData.certificates,
    ],
    ocspResponses: [...up.ocspValues, ...up.timeStampValidationData.ocspValues],
    crls: [...up.crlValues, ...up.timeStampValidationData.crlValues],
    signatureTimeStamps,
    archiveTimeStamps,
  };
}

function isUnsupportedC14n(err: unknown): boolean {
  return err instanceof AsiceError && err.code === 'XML_UNSUPPORTED_C14N';
}

/** The result of a canonicalization, or undefined when the input needs what we do not implement (C14N 1.1 xml:base). */
function unlessUnsupportedC14n<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch (err) {
    if (isUnsupportedC14n(err)) return undefined;
    throw err;
  }
}
