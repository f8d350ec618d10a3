export * from './errors.js';
// ZIP
export {
  ZipReader,
  DEFAULT_ZIP_LIMITS,
  type ZipLimits,
  type ZipSource,
  type ZipEntryInfo,
} from './zip/read.js';
export { ZipWriter } from './zip/write.js';
export { unsafePathReason } from './zip/names.js';
// XML
export { parseXml, DEFAULT_XML_LIMITS, type XmlLimits } from './xml/parse.js';
export { canonicalize, canonicalString, C14N, type C14nOptions } from './xml/c14n.js';
export { NS } from './xml/namespaces.js';
export type {
  XmlAttr,
  XmlAttributes,
  XmlCharacterData,
  XmlDocument,
  XmlElement,
  XmlNode,
  XmlProcessingInstruction,
} from './xml/dom.js';
// XMLDSig
export * from './xmldsig/algorithms.js';
export {
  parseXmlSignature,
  type XmlSignature,
  type SignedInfo,
  type Reference,
  type Transform,
} from './xmldsig/signature.js';
export { fileNameFromUri, uriFromFileName } from './xmldsig/uri.js';
export { verifySignatureValue, signedInfoOctets, indexIds } from './xmldsig/verify.js';
// XAdES
export type * from './xades/model.js';
export { parseXadesSignature } from './xades/parse.js';
export { signatureLevel, BDOC_TM_POLICY_OIDS } from './xades/level.js';
export { identifySigningCertificate } from './xades/signing-certificate.js';
export { signatureTimeStampInput, archiveTimeStampInput } from './xades/timestamp-input.js';
// container
export { openContainer, classifyEntry, type OpenOptions } from './container/open.js';
export type * from './container/model.js';
export { MIMETYPE_ASICE, MIMETYPE_ASICS, type ContainerFormat } from './container/mimetype.js';
export { parseManifest, buildManifest, type Manifest, type ManifestEntry } from './container/manifest.js';
export { parseAsicManifest, type AsicManifest } from './container/asic-manifest.js';
// validation
export { validateContainer, validateOpenContainer, type ValidateOptions } from './validation/validate.js';
export * from './validation/findings.js';
export type * from './validation/pki.js';
export * from './validation/result.js';
export {
  writeContainer,
  writeSignedContainer,
  addSignature,
  addDataFiles,
  digestDataFile,
  type DataFileInput,
  type DataFileSource,
  type WriteContainerOptions,
  type WriteSignedContainerOptions,
  type AddSignatureOptions,
} from './container/write.js';
// signing
export {
  prepareSignature,
  finalizeSignature,
  type PrepareOptions,
  type PreparedSignature,
  type DataFileDigest,
  type SignatureProductionPlaceInput,
} from './signing/prepare.js';
export {
  signatureTimeStampData,
  addUnsignedProperties,
  type UnsignedPropertiesInput,
} from './signing/extend.js';
export {
  extendToLt,
  httpOcspSource,
  httpTimeStampSource,
  type ExtendedSignature,
  type ExtendToLtOptions,
  type OcspSource,
  type TimeStampSource,
} from './signing/lt.js';
export {
  createSignature,
  signDigests,
  type CreateSignatureOptions,
  type SignDigestsOptions,
  type SignDigest,
} from './signing/sign.js';
// trust and the PKI checks (chains, OCSP, time-stamps)
export * from './trust/trust-store.js';
export { parseTrustedList, trustStoreFromTrustedList, TSL_NS } from './trust/trusted-list.js';
export { loadTrustDirectory, type TrustDirectoryOptions } from './trust/trust-directory.js';
export { PkiValidator, type PkiValidatorOptions } from './pki/validator.js';
export { DEFAULT_REVOCATION_POLICY, type RevocationPolicy } from './pki/revocation.js';
