/**
 * Two-phase XAdES signing. Phase one (`prepareSignature`) builds the signature document for
 * given data-file digests and a signer certificate: SignedProperties (SigningTime,
 * SigningCertificateV2, DataObjectFormat), its digest, SignedInfo, and the digest the signer's
 * key must sign. Phase two (`finalizeSignature`) puts the signature value in, after checking it
 * against the certificate. Between the phases the key may be far away (an eID card behind a
 * browser), so a prepared signature is plain JSON-safe data.
 *
 * The document is written as text in one fixed layout and parsed back before every digest, so
 * the octets digested are exactly the canonical form of what is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { XmlElement } from '../xml/dom.js';
import { AsiceError } from '../errors.js';
import { escapeXmlAttribute } from '../container/manifest.js';
import { Certificate, encodeSequence, encodeTlv } from '@riik/pki';
import { C14N, canonicalize, isC14nAlgorithm } from '../xml/c14n.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse.js';
import { decodeBase64Strict, encodeBase64 } from '../xml/base64.js';
import {
  digestAlgorithm,
  digestUriOf,
  signatureAlgorithm,
  signatureUriOf,
  type HashName,
} from '../xmldsig/algorithms.js';
import { parseXmlSignature } from '../xmldsig/signature.js';
import { uriFromFileName } from '../xmldsig/uri.js';
import {
  digestsEqual,
  sameDocumentReferenceOctets,
  signedInfoOctets,
  verifySignatureValue,
} from '../xmldsig/verify.js';
import { parseXadesSignature } from '../xades/parse.js';
import { encodedIssuer } from '../xades/signing-certificate.js';
import { SIGNED_PROPERTIES_TYPE } from '../validation/signature.js';

/** A data file to sign: its name in the container, media type and digest (computed by streaming). */
export interface DataFileDigest {
  readonly name: string;
  readonly mediaType: string;
  /** Digest with `PrepareOptions.digest` (default SHA-256). */
  readonly digest: Uint8Array;
}

export interface SignatureProductionPlaceInput {
  readonly city?: string;
  readonly streetAddress?: string;
  readonly stateOrProvince?: string;
  readonly postalCode?: string;
  readonly countryName?: string;
}

export interface PrepareOptions {
  readonly dataFiles: readonly DataFileDigest[];
  /** DER of the signer's certificate. */
  readonly signingCertificate: Uint8Array;
  readonly signingTime: Date;
  /** Digest of data files and SignedProperties (the data-file digests must use it). Default sha256. */
  readonly digest?: HashName;
  /** Hash of the signature; default by key: P-256 sha256, P-384 sha384, P-521 sha512, RSA sha256. */
  readonly signatureHash?: HashName;
  /** Canonicalization of SignedInfo and SignedProperties; default exclusive C14N. */
  readonly canonicalization?: string;
  readonly productionPlace?: SignatureProductionPlaceInput;
  readonly signerRoles?: readonly string[];
  /** Randomness for the signature Id (16 bytes). */
  readonly random?: (size: number) => Uint8Array;
}

export interface PreparedSignature {
  readonly signatureId: string;
  /** The asic:XAdESSignatures document with an empty SignatureValue. */
  readonly xml: string;
  readonly signatureMethod: string;
  readonly hash: HashName;
  /** What the key signs: the hash of `signedInfo` with `hash` (what a PKCS#11 / eID card is given). */
  readonly digestToSign: string; // base64
  /** Canonical SignedInfo (base64), for signers that hash themselves. */
  readonly signedInfo: string;
  /** Signer certificate (base64 DER), kept to check the value in phase two. */
  readonly certificate: string;
}

const SIGNATURE_VALUE_PLACEHOLDER = '';

export function prepareSignature(options: PrepareOptions): PreparedSignature {
  const digestHash = options.digest ?? 'sha256';
  const c14n = options.canonicalization ?? C14N.exc;
  if (!isC14nAlgorithm(c14n))
    throw new AsiceError('SIGNING_BAD_INPUT', `unsupported canonicalization ${c14n}`);
  if (options.dataFiles.length === 0)
    throw new AsiceError('SIGNING_BAD_INPUT', 'nothing to sign: no data files');
  const expectedLength = createHash(digestHash).digest().length;
  for (const file of options.dataFiles) {
    if (file.digest.length !== expectedLength) {
      throw new AsiceError('SIGNING_BAD_INPUT', `digest of ${file.name} is not a ${digestHash} digest`);
    }
  }
  if (new Set(options.dataFiles.map((f) => f.name)).size !== options.dataFiles.length) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'a data file is listed twice');
  }
  let cert: Certificate;
  try {
    cert = Certificate.fromDer(options.signingCertificate);
    void cert.publicKey;
  } catch (cause) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'the signing certificate is not a DER X.509 certificate', {
      cause,
    });
  }
  const { uri: signatureMethod, hash } = chooseSignatureMethod(cert, options.signatureHash);
  if (Number.isNaN(options.signingTime.getTime()))
    throw new AsiceError('SIGNING_BAD_INPUT', 'invalid signing time');

  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const id = `id-${Buffer.from(random(16)).toString('hex')}`;
  const spId = `xades-${id}`;
  const refs = options.dataFiles.map((file, i) => ({ ...file, refId: `r-${id}-${i + 1}` }));
  const a = escapeXmlAttribute;

  const signedProperties =
    `<xades:SignedProperties Id="${spId}"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${xsDateTime(options.signingTime)}</xades:SigningTime>` +
    `<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>` +
    `<ds:DigestMethod Algorithm="${digestUriOf(digestHash)}"/>` +
    `<ds:DigestValue>${encodeBase64(createHash(digestHash).update(cert.der).digest())}</ds:DigestValue>` +
    `</xades:CertDigest><xades:IssuerSerialV2>${encodeBase64(issuerSerialV2(cert))}</xades:IssuerSerialV2>` +
    `</xades:Cert></xades:SigningCertificateV2>` +
    productionPlaceXml(options.productionPlace) +
    signerRoleXml(options.signerRoles) +
    `</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` +
    refs
      .map(
        (r) =>
          `<xades:DataObjectFormat ObjectReference="#${r.refId}"><xades:MimeType>${text(r.mediaType)}</xades:MimeType></xades:DataObjectFormat>`,
      )
      .join('') +
    `</xades:SignedDataObjectProperties></xades:SignedProperties>`;

  const document = (spDigest: string): string =>
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` +
    `<asic:XAdESSignatures xmlns:asic="${NS.asic}" xmlns:ds="${NS.ds}" xmlns:xades="${NS.xades}">` +
    `<ds:Signature Id="${id}"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${c14n}"/><ds:SignatureMethod Algorithm="${signatureMethod}"/>` +
    refs
      .map(
        (r) =>
          `<ds:Reference Id="${r.refId}" URI="${a(uriFromFileName(r.name))}">` +
          `<ds:DigestMethod Algorithm="${digestUriOf(digestHash)}"/><ds:DigestValue>${encodeBase64(r.digest)}</ds:DigestValue></ds:Reference>`,
      )
      .join('') +
    `<ds:Reference Type="${SIGNED_PROPERTIES_TYPE}" URI="#${spId}"><ds:Transforms><ds:Transform Algorithm="${c14n}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${digestUriOf(digestHash)}"/><ds:DigestValue>${spDigest}</ds:DigestValue></ds:Reference>` +
    `</ds:SignedInfo><ds:SignatureValue Id="value-${id}">${SIGNATURE_VALUE_PLACEHOLDER}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${encodeBase64(cert.der)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `<ds:Object><xades:QualifyingProperties Target="#${id}">${signedProperties}</xades:QualifyingProperties></ds:Object>` +
    `</ds:Signature></asic:XAdESSignatures>`;

  // SignedProperties digest over its canonical form in place, then SignedInfo with that digest in it.
  const draft = parseXml(Buffer.from(document(''), 'utf8'));
  const spElement = findById(draft.documentElement!, spId);
  const spDigest = encodeBase64(
    createHash(digestHash)
      .update(canonicalize(spElement, { algorithm: c14n, comments: false }))
      .digest(),
  );
  const xml = document(spDigest);
  const signedInfo = canonicalSignedInfo(xml);
  return {
    signatureId: id,
    xml,
    signatureMethod,
    hash,
    digestToSign: encodeBase64(createHash(hash).update(signedInfo).digest()),
    signedInfo: encodeBase64(signedInfo),
    certificate: encodeBase64(cert.der),
  };
}

/**
 * Phase two: the signature value (raw r||s for ECDSA, as XMLDSig 1.1 prescribes; PKCS#1 v1.5
 * for RSA) is checked against the prepared SignedInfo and the signer certificate, then stored.
 * Returns the signature file (META-INF/signatures*.xml) content.
 */
export function finalizeSignature(prepared: PreparedSignature, signatureValue: Uint8Array): Buffer {
  const algorithm = signatureAlgorithm(prepared.signatureMethod);
  const der = decodeBase64Strict(prepared.certificate);
  const signedInfo = decodeBase64Strict(prepared.signedInfo);
  if (!algorithm || !der || !signedInfo)
    throw new AsiceError('SIGNING_BAD_INPUT', 'malformed prepared signature');
  const cert = Certificate.fromDer(der);
  if (!verifySignatureValue(algorithm, cert.publicKey, signedInfo, signatureValue)) {
    throw new AsiceError(
      'SIGNING_BAD_SIGNATURE_VALUE',
      'the signature value does not verify with the signer certificate over the prepared SignedInfo',
    );
  }
  const marker = `<ds:SignatureValue Id="value-${prepared.signatureId}">${SIGNATURE_VALUE_PLACEHOLDER}</ds:SignatureValue>`;
  const at = prepared.xml.indexOf(marker);
  if (at < 0) throw new AsiceError('SIGNING_BAD_INPUT', 'prepared signature has no empty SignatureValue');
  const filled = `<ds:SignatureValue Id="value-${prepared.signatureId}">${encodeBase64(signatureValue)}</ds:SignatureValue>`;
  const xml = prepared.xml.slice(0, at) + filled + prepared.xml.slice(at + marker.length);
  // what is stored must be what was signed: the same SignedInfo, and SignedProperties matching its digest
  const signature = parseXadesSignature(parseXmlSignature(signatureElement(xml)), 'prepared');
  const again = signedInfoOctets(signature.xml.signedInfo);
  const spRef = signature.xml.signedInfo.references.find((r) => r.type === SIGNED_PROPERTIES_TYPE);
  const spOctets =
    spRef && sameDocumentReferenceOctets(signature.qualifyingProperties.signedProperties.element, spRef);
  const spHash = spRef && digestAlgorithm(spRef.digestMethod)?.hash;
  if (
    !again.equals(Buffer.from(signedInfo)) ||
    !spOctets ||
    !spHash ||
    !digestsEqual(createHash(spHash).update(spOctets).digest(), spRef.digestValue)
  ) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'prepared signature was altered');
  }
  return Buffer.from(xml, 'utf8');
}

function chooseSignatureMethod(cert: Certificate, wanted?: HashName): { uri: string; hash: HashName } {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const byCurve: Record<string, HashName> = {
      prime256v1: 'sha256',
      secp384r1: 'sha384',
      secp521r1: 'sha512',
    };
    const hash = wanted ?? (curve ? byCurve[curve] : undefined);
    if (!hash) throw new AsiceError('SIGNING_BAD_INPUT', `unsupported EC curve ${curve ?? '(unknown)'}`);
    return { uri: signatureUriOf('ec', hash), hash };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const hash = wanted ?? 'sha256';
    return { uri: signatureUriOf('rsa', hash), hash };
  }
  throw new AsiceError('SIGNING_BAD_INPUT', `unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}`);
}

/** RFC 5035 IssuerSerial { issuer GeneralNames { directoryName [4] Name }, serialNumber }, DER. */
function issuerSerialV2(cert: Certificate): Uint8Array {
  const directoryName = encodeTlv(0xa4, encodedIssuer(cert));
  return encodeSequence([
    encodeSequence([directoryName]),
    encodeTlv(0x02, Buffer.from(cert.serialHex, 'hex')),
  ]);
}

function productionPlaceXml(place?: SignatureProductionPlaceInput): string {
  if (!place) return '';
  const parts: Array<[string, string | undefined]> = [
    ['City', place.city],
    ['StreetAddress', place.streetAddress],
    ['StateOrProvince', place.stateOrProvince],
    ['PostalCode', place.postalCode],
    ['CountryName', place.countryName],
  ];
  const inner = parts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<xades:${k}>${text(v!)}</xades:${k}>`)
    .join('');
  return inner ? `<xades:SignatureProductionPlaceV2>${inner}</xades:SignatureProductionPlaceV2>` : '';
}

function signerRoleXml(roles?: readonly string[]): string {
  if (!roles || roles.length === 0) return '';
  return `<xades:SignerRoleV2><xades:ClaimedRoles>${roles
    .map((r) => `<xades:ClaimedRole>${text(r)}</xades:ClaimedRole>`)
    .join('')}</xades:ClaimedRoles></xades:SignerRoleV2>`;
}

function text(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!);
}

/** xs:dateTime in UTC without fractions, as DigiDoc writes SigningTime. */
function xsDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The canonical SignedInfo of a (possibly not yet signed) signature document. */
function canonicalSignedInfo(xml: string): Buffer {
  const signedInfo = elementChildren(signatureElement(xml))[0];
  if (!signedInfo || !isNamed(signedInfo, NS.ds, 'SignedInfo'))
    throw new AsiceError('SIGNING_BAD_INPUT', 'no ds:SignedInfo');
  const method = elementChildren(signedInfo)[0]?.getAttribute('Algorithm') ?? '';
  return canonicalize(signedInfo, { algorithm: method });
}

function signatureElement(xml: string): XmlElement {
  const root = parseXml(Buffer.from(xml, 'utf8')).documentElement!;
  const signature = elementChildren(root)[0];
  if (!signature || !isNamed(signature, NS.ds, 'Signature'))
    throw new AsiceError('SIGNING_BAD_INPUT', 'no ds:Signature');
  return signature;
}

function findById(root: XmlElement, id: string): XmlElement {
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.getAttribute('Id') === id) return el;
    stack.push(...elementChildren(el));
  }
  throw new AsiceError('SIGNING_BAD_INPUT', `no element with Id ${id}`);
}
