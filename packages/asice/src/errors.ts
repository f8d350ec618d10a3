import { CodedError } from '@riik/core/errors';

/**
 * Why a container, XML document or signature could not be read, built or processed at all.
 *
 * These are thrown errors: structural failures that stop processing (DigiDoc's "open error").
 * Verdict-level findings about a container that *could* be read (a digest that does not match,
 * an unsigned file) are not errors but `Finding`s in the validation result (validation/findings.ts).
 */
export type AsiceErrorCode =
  // ZIP layer (zip/)
  | 'ZIP_INVALID' // not a ZIP file, or its structure is corrupt
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_ENTRY_TOO_LARGE'
  | 'ZIP_TOO_LARGE' // total uncompressed size over the limit
  | 'ZIP_BOMB' // compression ratio over the limit
  | 'ZIP_ENCRYPTED'
  | 'ZIP_UNSUPPORTED_COMPRESSION'
  | 'ZIP_UNSAFE_PATH' // absolute path, `..`/`.` segment, backslash, drive letter, control character
  | 'ZIP_BAD_FILE_NAME' // file name is not valid UTF-8
  | 'ZIP_DUPLICATE_ENTRY'
  | 'ZIP_ENTRY_NOT_FOUND'
  | 'ZIP_WRITE_FAILED'
  // XML layer (xml/)
  | 'XML_MALFORMED'
  | 'XML_FORBIDDEN_DTD' // DOCTYPE / ENTITY declarations are refused outright (XXE, billion laughs)
  | 'XML_TOO_LARGE'
  | 'XML_TOO_DEEP'
  | 'XML_UNSUPPORTED_ENCODING'
  | 'XML_UNSUPPORTED_C14N' // canonicalization algorithm or input we do not implement
  // XMLDSig / XAdES structure (xmldsig/, xades/)
  | 'XMLDSIG_MALFORMED'
  | 'XMLDSIG_UNSUPPORTED_ALGORITHM'
  | 'XADES_MALFORMED'
  // container layer (container/)
  | 'CONTAINER_NOT_ASIC' // a ZIP, but not an ASiC container (no mimetype / manifest / signatures)
  | 'CONTAINER_MIMETYPE_INVALID'
  | 'CONTAINER_DUPLICATE_ENTRY' // duplicate mimetype, manifest or data file
  | 'CONTAINER_MANIFEST_MALFORMED'
  | 'CONTAINER_MANIFEST_INVALID_PATH'
  | 'CONTAINER_ASICS_CONTENT' // ASiC-S rules: one data file, root folder, not signature + timestamp
  | 'CONTAINER_UNSUPPORTED_FORMAT' // legacy DDOC and other formats we recognise but do not read
  // building and signing (container/write.ts, signing/)
  | 'SIGNING_BAD_INPUT'
  | 'SIGNING_BAD_SIGNATURE_VALUE'
  | 'CONTAINER_SIGNED' // data files cannot be added, removed or changed once a signature covers them
  | 'SIGNING_TIMESTAMP_FAILED' // the TSA did not answer, or its token is not acceptable
  | 'SIGNING_OCSP_FAILED' // the OCSP responder did not answer, or its response is not acceptable
  | 'SIGNING_CERTIFICATE_NOT_GOOD' // the signer's certificate is revoked, suspended or unknown
  // trust configuration (trust/)
  | 'TRUST_LIST_MALFORMED' // a trusted list (ETSI TS 119 612) that cannot be read
  | 'TRUST_CONFIG_INVALID'; // a trust directory or certificate file that cannot be used

export class AsiceError extends CodedError<AsiceErrorCode> {}
