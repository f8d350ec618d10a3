import { bytesEqual, fromBase64, toBase64 } from '@riik/core';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { Certificate } from '@riik/pki';
import { childElements, escapeXmlText, parseXml, type XmlElement } from '../xml.js';
import {
  digest,
  DIGEST_URI,
  digestOfUri,
  ECDSA_SIGNATURE_URI,
  MESSAGE_DIGEST,
  signatureHashOfUri,
  xmlSign,
  xmlVerify,
} from './algorithms.js';
import { EXC_C14N, excC14n } from './c14n.js';
import { SignatureError } from './errors.js';

/*
 * The message signature of the X-Road message transport protocol (PR-MESSTRANSP §3.1, content type
 * `signature/bdoc-1.0/ts`): an XAdES signature in an ASiC `XAdESSignatures` root, laid out as the
 * reference Security Server's SignatureXmlBuilder lays it out (Profile for High-Performance Digital
 * Signatures, PR-SIGDOC): one detached reference to the signed data — the REST header part
 * (`/message.xml`) or, for bodies and batches, the hash chain result (`/sig-hashchainresult.xml`) —
 * and one to the SignedProperties; the signing certificate in KeyInfo; SigningTime, SigningCertificate
 * and the signature policy as signed properties; the OCSP response of the signing certificate as
 * RevocationValues. docs/xroad-compat.md lists where riik's form differs.
 */

export const NS = {
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  asic: 'http://uri.etsi.org/02918/v1.2.1#',
} as const;

/** The file names X-Road gives the signed data (its MessageFileNames). */
export const MessageFileNames = {
  message: '/message.xml',
  sigHashChainResult: '/sig-hashchainresult.xml',
  sigHashChain: '/sig-hashchain.xml',
  tsHashChainResult: '/ts-hashchainresult.xml',
  tsHashChain: '/ts-hashchain.xml',
  signature: '/META-INF/signatures.xml',
  attachment: (i: number) => `/attachment${i}`,
} as const;

const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
// The signature policy the reference names (PR-SIGDOC 1.2), with the digest it publishes.
const POLICY_ID = 'urn:oid:1.3.6.1.4.1.3516.16.2';
const POLICY_DESCRIPTION = 'Profile for High Performance Digital Signatures (version 1.2)';
const POLICY_SHA512 =
  'BuO0EDNfkxSVlUbxCzmQPzX1AUF1/xx9ytWHk3/6SAOePxQiniEfDYk+90QeYb3lWpV3Izhuz9fKaYyE+lTcXw==';
const POLICY_URI = 'https://repo.cyber.ee/dsig-profile-1.2.pdf';

/** Largest signature XML riik reads: a certificate and a few OCSP responses fit in far less. */
export const MAX_SIGNATURE_XML_BYTES = 256 * 1024;

export interface SignatureReference {
  /** `/message.xml` or `/sig-hashchainresult.xml`. */
  readonly uri: string;
  readonly digestAlgorithm: HashAlgorithm;
  readonly digest: Uint8Array;
}

export interface SignInput {
  readonly signer: Signer;
  readonly certificate: Certificate;
  /** DER OCSP responses for the signing certificate (written as RevocationValues). */
  readonly ocspResponses: ReadonlyArray<Uint8Array>;
  readonly reference: SignatureReference;
  /** MIME type of the referenced data: `text/xml` for a message, `application/hash-chain-result`. */
  readonly mimeType: string;
  readonly signingTime: Date;
  /** Hash of the ECDSA signature (default SHA-256, the pairing for P-256 keys). */
  readonly signatureHash?: HashAlgorithm;
}

function dsDigest(hash: HashAlgorithm, value: Uint8Array): string {
  return dsDigestText(hash, toBase64(value));
}

/** DigestMethod and DigestValue, the value given as its base64 text. */
function dsDigestText(hash: HashAlgorithm, base64: string): string {
  return (
    `<ds:DigestMethod Algorithm="${DIGEST_URI[hash]}"></ds:DigestMethod>` +
    `<ds:DigestValue>${base64}</ds:DigestValue>`
  );
}

function serialDecimal(cert: Certificate): string {
  return BigInt(`0x${cert.serialHex}`).toString(10);
}

/** The SignedProperties XML; `signingTime` is the SigningTime text. */
function signedPropertiesXml(cert: Certificate, mimeType: string, signingTime: string): string {
  return (
    `<xades:SignedProperties Id="signed-properties"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${signingTime}</xades:SigningTime>` +
    `<xades:SigningCertificate><xades:Cert><xades:CertDigest>${dsDigest(MESSAGE_DIGEST, digest(MESSAGE_DIGEST, cert.der))}</xades:CertDigest>` +
    `<xades:IssuerSerial><ds:X509IssuerName>${escapeXmlText(cert.issuerString)}</ds:X509IssuerName>` +
    `<ds:X509SerialNumber>${serialDecimal(cert)}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>` +
    `<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId>` +
    `<xades:Identifier Qualifier="OIDAsURN">${POLICY_ID}</xades:Identifier>` +
    `<xades:Description>${POLICY_DESCRIPTION}</xades:Description></xades:SigPolicyId>` +
    `<xades:SigPolicyHash><ds:DigestMethod Algorithm="${DIGEST_URI['SHA-512']}"></ds:DigestMethod>` +
    `<ds:DigestValue>${POLICY_SHA512}</ds:DigestValue></xades:SigPolicyHash>` +
    `<xades:SigPolicyQualifiers><xades:SigPolicyQualifier><xades:SPURI>${POLICY_URI}</xades:SPURI>` +
    `</xades:SigPolicyQualifier></xades:SigPolicyQualifiers></xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>` +
    `</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` +
    `<xades:DataObjectFormat ObjectReference="#signature-ref0"><xades:MimeType>${escapeXmlText(mimeType)}</xades:MimeType>` +
    `</xades:DataObjectFormat></xades:SignedDataObjectProperties></xades:SignedProperties>`
  );
}

/** The SignedInfo XML; `refDigest` and `spDigest` are the two DigestValue texts. */
function signedInfoXml(
  reference: SignatureReference,
  signatureHash: HashAlgorithm,
  refDigest: string,
  spDigest: string,
): string {
  return (
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${ECDSA_SIGNATURE_URI[signatureHash]}"></ds:SignatureMethod>` +
    `<ds:Reference Id="signature-ref0" URI="${escapeXmlText(reference.uri)}">` +
    `${dsDigestText(reference.digestAlgorithm, refDigest)}</ds:Reference>` +
    `<ds:Reference Type="${SIGNED_PROPERTIES_TYPE}" URI="#signed-properties"><ds:Transforms>` +
    `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>${dsDigestText(MESSAGE_DIGEST, spDigest)}` +
    `</ds:Reference></ds:SignedInfo>`
  );
}

/** Canonicalize `xml` (one element) as it reads inside the signature, whose root declares the prefixes. */
function canonicalInSignature(xml: string): Uint8Array {
  const doc = mustParse(
    `<r xmlns:asic="${NS.asic}" xmlns:ds="${NS.ds}" xmlns:xades="${NS.xades}">${xml}</r>`,
  );
  return excC14n(childElements(doc.documentElement!)[0]!);
}

/*
 * Canonical forms by template. The SignedProperties and SignedInfo riik writes differ between
 * signatures only in the text of SigningTime and of the two DigestValues: ISO 8601 times and base64,
 * which canonicalization leaves as they are. So each element is parsed and canonicalized once per
 * signing certificate, MIME type and reference (with marker texts in those places), and a signature
 * then fills the canonical form's pieces in instead of parsing and canonicalizing its own XML twice —
 * which was most of the cost of a signature. A template whose markers do not come out exactly once
 * (a certificate whose issuer name contains a marker, say) is not used.
 */
const MARK = ['\u2060riik-mark-0\u2060', '\u2060riik-mark-1\u2060'] as const;
const TEMPLATE_TEXT = /^[0-9A-Za-z+/=:.TZ-]*$/;

class CanonicalTemplate {
  private constructor(private readonly pieces: ReadonlyArray<string> | null) {}

  /** `xmlWith(...markers)` is the element's XML with the marker texts in place of the variable ones. */
  static of(markers: number, xmlWith: (...texts: string[]) => string): CanonicalTemplate {
    const canonical = Buffer.from(canonicalInSignature(xmlWith(...MARK.slice(0, markers)))).toString('utf8');
    const pieces: string[] = [];
    let rest = canonical;
    for (const mark of MARK.slice(0, markers)) {
      const at = rest.indexOf(mark);
      if (at < 0 || rest.indexOf(mark, at + 1) >= 0) return new CanonicalTemplate(null);
      pieces.push(rest.slice(0, at));
      rest = rest.slice(at + mark.length);
    }
    pieces.push(rest);
    return new CanonicalTemplate(pieces);
  }

  /** The canonical form with `texts` filled in, or null when this template cannot be used. */
  fill(texts: ReadonlyArray<string>): Uint8Array | null {
    const pieces = this.pieces;
    if (!pieces || !texts.every((t) => TEMPLATE_TEXT.test(t))) return null;
    let out = pieces[0]!;
    texts.forEach((t, i) => (out += t + pieces[i + 1]!));
    return new Uint8Array(Buffer.from(out, 'utf8'));
  }
}

const TEMPLATES_MAX = 64;
const templates = new Map<string, CanonicalTemplate>();
function template(key: string, markers: number, xmlWith: (...texts: string[]) => string): CanonicalTemplate {
  let t = templates.get(key);
  if (!t) {
    t = CanonicalTemplate.of(markers, xmlWith);
    if (templates.size >= TEMPLATES_MAX) templates.delete(templates.keys().next().value!);
    templates.set(key, t);
  }
  return t;
}

/** Build and sign the signature XML. */
export async function buildSignatureXml(input: SignInput): Promise<string> {
  const { certificate: cert, reference } = input;
  if (input.signer.keyAlgorithm === 'Ed25519')
    throw new SignatureError('UnsupportedAlgorithm', 'X-Road message signatures use ECDSA keys');
  const signingTime = input.signingTime.toISOString();
  const signedProperties = signedPropertiesXml(cert, input.mimeType, signingTime);
  const spCanonical =
    template(`sp ${cert.sha256Hex} ${input.mimeType}`, 1, (t) =>
      signedPropertiesXml(cert, input.mimeType, t),
    ).fill([signingTime]) ?? canonicalInSignature(signedProperties);
  const spDigest = toBase64(digest(MESSAGE_DIGEST, spCanonical));

  const signatureHash = input.signatureHash ?? 'SHA-256';
  const refDigest = toBase64(reference.digest);
  const signedInfo = signedInfoXml(reference, signatureHash, refDigest, spDigest);
  const siCanonical =
    template(`si ${reference.uri} ${reference.digestAlgorithm} ${signatureHash}`, 2, (a, b) =>
      signedInfoXml(reference, signatureHash, a, b),
    ).fill([refDigest, spDigest]) ?? canonicalInSignature(signedInfo);
  const { value } = await xmlSign(input.signer, siCanonical, signatureHash);

  const ocspValues = input.ocspResponses
    .map((o, i) => `<xades:EncapsulatedOCSPValue Id="N${i}">${toBase64(o)}</xades:EncapsulatedOCSPValue>`)
    .join('');
  return (
    `${OWN_HEAD}${signedInfo}${OWN_VALUE[0]}${toBase64(value)}${OWN_VALUE[1]}${toBase64(cert.der)}` +
    `${OWN_OBJECT}${signedProperties}${OWN_OCSP[0]}${ocspValues}${OWN_OCSP[1]}`
  );
}

// The constant text around the variable parts of the signature XML riik writes.
const OWN_HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<asic:XAdESSignatures xmlns:asic="${NS.asic}" xmlns:ds="${NS.ds}" xmlns:xades="${NS.xades}"><ds:Signature Id="signature">`;
const OWN_VALUE = [
  '<ds:SignatureValue Id="SIG-VALUE">',
  '</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>',
] as const;
const OWN_OBJECT =
  '</ds:X509Certificate></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties Target="#signature">';
const OWN_OCSP = [
  '<xades:UnsignedProperties><xades:UnsignedSignatureProperties><xades:RevocationValues><xades:OCSPValues>',
  '</xades:OCSPValues></xades:RevocationValues></xades:UnsignedSignatureProperties></xades:UnsignedProperties>' +
    '</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>',
] as const;

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const OWN_OCSP_VALUES =
  /^(?:<xades:EncapsulatedOCSPValue Id="N[0-9]{1,4}">[A-Za-z0-9+/]*={0,2}<\/xades:EncapsulatedOCSPValue>)*$/;
const OWN_OCSP_VALUE =
  /<xades:EncapsulatedOCSPValue Id="N[0-9]{1,4}">([A-Za-z0-9+/]*={0,2})<\/xades:EncapsulatedOCSPValue>/g;
const OWN_SIGNED_INFO = new RegExp(
  '^<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="[^"<&]*"></ds:CanonicalizationMethod>' +
    '<ds:SignatureMethod Algorithm="([^"<&]*)"></ds:SignatureMethod><ds:Reference Id="signature-ref0" URI="([^"<&]*)">' +
    '<ds:DigestMethod Algorithm="([^"<&]*)"></ds:DigestMethod><ds:DigestValue>([A-Za-z0-9+/]*={0,2})</ds:DigestValue>' +
    '</ds:Reference><ds:Reference Type="[^"<&]*" URI="#signed-properties"><ds:Transforms><ds:Transform Algorithm="[^"<&]*">' +
    '</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="[^"<&]*"></ds:DigestMethod>' +
    '<ds:DigestValue>([A-Za-z0-9+/]*={0,2})</ds:DigestValue></ds:Reference></ds:SignedInfo>$',
);
const OWN_SIGNING_TIME =
  /^<xades:SignedProperties Id="signed-properties"><xades:SignedSignatureProperties><xades:SigningTime>([0-9:.TZ-]+)<\/xades:SigningTime>/;

/** The text between `open` at `at` and the next `close` (both included), or null. */
function span(text: string, at: number, open: string, close: string): string | null {
  if (!text.startsWith(open, at)) return null;
  const end = text.indexOf(close, at + open.length);
  return end < 0 ? null : text.slice(at, end + close.length);
}

/** The text from `at` up to the next `close` (excluded), when it is base64; or null. */
function base64Until(text: string, at: number, close: string): string | null {
  const end = text.indexOf(close, at);
  if (end < 0) return null;
  const value = text.slice(at, end);
  return B64.test(value) ? value : null;
}

/**
 * Verify a signature in exactly the form riik's `buildSignatureXml` writes, without the XML parser;
 * null for any other text, and for anything that does not verify (the full verification then gives
 * the error). The signed elements are taken only when they are character for character what riik
 * would write for this certificate, signing time, MIME type and digests, so their canonical forms are
 * the signer's templates; everything else in the document is fixed text. Why: parsing and
 * canonicalizing the signature costs ~400 µs, and a security server verifies one per batch of
 * messages from each peer, most batches being small.
 */
function verifyOwnSignatureXml(text: string): VerifiedSignature | null {
  // Split at the fixed texts (indexOf, linear in the length whatever the text holds).
  if (!text.startsWith(OWN_HEAD) || !text.endsWith(OWN_OCSP[1])) return null;
  let at = OWN_HEAD.length;
  const signedInfo = span(text, at, '<ds:SignedInfo>', '</ds:SignedInfo>');
  if (!signedInfo || !text.startsWith(OWN_VALUE[0], (at += signedInfo.length))) return null;
  const valueText = base64Until(text, (at += OWN_VALUE[0].length), OWN_VALUE[1]);
  if (valueText === null) return null;
  const certText = base64Until(text, (at += valueText.length + OWN_VALUE[1].length), OWN_OBJECT);
  if (certText === null) return null;
  at += certText.length + OWN_OBJECT.length;
  const signedProperties = span(
    text,
    at,
    '<xades:SignedProperties Id="signed-properties">',
    '</xades:SignedProperties>',
  );
  if (!signedProperties || !text.startsWith(OWN_OCSP[0], (at += signedProperties.length))) return null;
  const ocspText = text.slice(at + OWN_OCSP[0].length, text.length - OWN_OCSP[1].length);
  if (!OWN_OCSP_VALUES.test(ocspText)) return null;

  const si = OWN_SIGNED_INFO.exec(signedInfo);
  const time = OWN_SIGNING_TIME.exec(signedProperties);
  const mimeAt = signedProperties.lastIndexOf('<xades:MimeType>');
  const mimeEnd = signedProperties.indexOf('</xades:MimeType>', mimeAt);
  if (!si || !time || mimeAt < 0 || mimeEnd < 0) return null;
  const mimeType = signedProperties.slice(mimeAt + '<xades:MimeType>'.length, mimeEnd);
  const [, signatureMethod, uri, digestMethod, refDigest, spDigest] = si as unknown as string[];
  const signingTimeText = time[1]!;
  if (uri !== MessageFileNames.message && uri !== MessageFileNames.sigHashChainResult) return null;
  let certificate: Certificate;
  let reference: SignatureReference;
  let signatureHash: HashAlgorithm;
  try {
    certificate = certificateOf(fromBase64(certText));
    reference = { uri, digestAlgorithm: digestOfUri(digestMethod!), digest: fromBase64(refDigest!) };
    signatureHash = signatureHashOfUri(signatureMethod!);
  } catch {
    return null;
  }
  // Exactly what riik writes for these values, so the canonical forms are the signer's templates.
  if (
    signedPropertiesXml(certificate, mimeType, signingTimeText) !== signedProperties ||
    signedInfoXml(reference, signatureHash, refDigest!, spDigest!) !== signedInfo
  )
    return null;
  const spCanonical = template(`sp ${certificate.sha256Hex} ${mimeType}`, 1, (t) =>
    signedPropertiesXml(certificate, mimeType, t),
  ).fill([signingTimeText]);
  const siCanonical = template(`si ${uri} ${reference.digestAlgorithm} ${signatureHash}`, 2, (a, b) =>
    signedInfoXml(reference, signatureHash, a, b),
  ).fill([refDigest!, spDigest!]);
  if (!spCanonical || !siCanonical || toBase64(digest(MESSAGE_DIGEST, spCanonical)) !== spDigest) return null;
  const value = fromBase64(valueText);
  const signingTime = new Date(signingTimeText);
  if (
    Number.isNaN(signingTime.getTime()) ||
    !xmlVerify(certificate.publicKey, signatureMethod!, siCanonical, value)
  )
    return null;
  const ocspResponses = [...ocspText.matchAll(OWN_OCSP_VALUE)].map((o) => fromBase64(o[1]!));
  return { certificate, ocspResponses, signingTime, reference, signatureValue: value };
}

function mustParse(xml: string) {
  const doc = parseXml(xml);
  if (!doc) throw new SignatureError('CannotCreateSignature', 'signature XML is not well-formed');
  return doc;
}

function findById(doc: NonNullable<ReturnType<typeof parseXml>>, id: string): XmlElement {
  const found: XmlElement[] = [];
  const visit = (el: XmlElement) => {
    if (el.getAttribute('Id') === id) found.push(el);
    for (const c of childElements(el)) visit(c);
  };
  visit(doc.documentElement!);
  if (found.length !== 1)
    throw new SignatureError('MalformedSignature', `expected exactly one element with Id ${id}`);
  return found[0]!;
}

// Batches of messages from one peer carry the same signing certificate; parsing it (and importing its
// key) once is worth a small cache.
const certificates = new Map<string, Certificate>();
function certificateOf(der: Uint8Array): Certificate {
  const key = toBase64(der);
  let cert = certificates.get(key);
  if (!cert) {
    cert = Certificate.fromDer(der);
    if (certificates.size >= 256) certificates.delete(certificates.keys().next().value!);
    certificates.set(key, cert);
  }
  return cert;
}

/** What a verified signature XML says. The data reference still has to be checked against the data. */
export interface VerifiedSignature {
  readonly certificate: Certificate;
  readonly ocspResponses: ReadonlyArray<Uint8Array>;
  readonly signingTime: Date;
  readonly reference: SignatureReference;
  readonly signatureValue: Uint8Array;
}

function child(parent: XmlElement, ns: string, name: string, required = true): XmlElement | undefined {
  const matches = childElements(parent).filter((e) => e.namespaceURI === ns && e.localName === name);
  if (matches.length > 1) throw new SignatureError('MalformedSignature', `more than one ${name}`);
  if (required && matches.length === 0) throw new SignatureError('MalformedSignature', `missing ${name}`);
  return matches[0];
}

function must(parent: XmlElement, ns: string, name: string): XmlElement {
  return child(parent, ns, name, true)!;
}

function base64Of(el: XmlElement, what: string): Uint8Array {
  try {
    return fromBase64(el.textContent ?? '');
  } catch (cause) {
    throw new SignatureError('MalformedSignature', `${what} is not base64`, { cause });
  }
}

function readDigest(parent: XmlElement): { hash: HashAlgorithm; value: Uint8Array } {
  const method = must(parent, NS.ds, 'DigestMethod').getAttribute('Algorithm') ?? '';
  return { hash: digestOfUri(method), value: base64Of(must(parent, NS.ds, 'DigestValue'), 'DigestValue') };
}

/**
 * Read and verify a signature XML: structure, the signature value over the canonical SignedInfo, the
 * SignedProperties digest, and that SigningCertificate names the KeyInfo certificate. Throws a
 * `SignatureError` with the X-Road code of the first failure.
 */
export function verifySignatureXml(xml: string | Uint8Array): VerifiedSignature {
  const text = typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8');
  if (Buffer.byteLength(text) > MAX_SIGNATURE_XML_BYTES)
    throw new SignatureError('MalformedSignature', 'signature XML too large');
  const own = verifyOwnSignatureXml(text);
  if (own) return own;
  const doc = parseXml(text);
  const root = doc?.documentElement;
  if (!root || root.namespaceURI !== NS.asic || root.localName !== 'XAdESSignatures')
    throw new SignatureError('MalformedSignature', 'not an ASiC XAdESSignatures document');
  const signature = must(root, NS.ds, 'Signature');
  if (childElements(root).length !== 1)
    throw new SignatureError('MalformedSignature', 'expected exactly one signature');
  const signedInfo = must(signature, NS.ds, 'SignedInfo');
  const c14nMethod = must(signedInfo, NS.ds, 'CanonicalizationMethod').getAttribute('Algorithm');
  if (c14nMethod !== EXC_C14N)
    throw new SignatureError(
      'UnsupportedAlgorithm',
      `unsupported canonicalization ${String(c14nMethod).slice(0, 100)}`,
    );
  const signatureMethod = must(signedInfo, NS.ds, 'SignatureMethod').getAttribute('Algorithm') ?? '';
  const references = childElements(signedInfo).filter(
    (e) => e.namespaceURI === NS.ds && e.localName === 'Reference',
  );
  if (references.length !== 2) throw new SignatureError('MalformedSignature', 'expected two references');
  const propsRef = references.find((r) => r.getAttribute('Type') === SIGNED_PROPERTIES_TYPE);
  const dataRef = references.find((r) => r !== propsRef);
  if (!propsRef || !dataRef)
    throw new SignatureError('MalformedSignature', 'missing the SignedProperties reference');
  if (child(dataRef, NS.ds, 'Transforms', false))
    throw new SignatureError('UnsupportedAlgorithm', 'the data reference may not have transforms');
  const dataUri = dataRef.getAttribute('URI') ?? '';
  if (dataUri !== MessageFileNames.message && dataUri !== MessageFileNames.sigHashChainResult)
    throw new SignatureError('InvalidReference', `unexpected data reference ${dataUri.slice(0, 100)}`);
  const transforms = childElements(must(propsRef, NS.ds, 'Transforms'));
  if (transforms.length !== 1 || transforms[0]!.getAttribute('Algorithm') !== EXC_C14N)
    throw new SignatureError('UnsupportedAlgorithm', 'SignedProperties must be canonicalized with exc-c14n');

  const certificate = (() => {
    const el = must(must(must(signature, NS.ds, 'KeyInfo'), NS.ds, 'X509Data'), NS.ds, 'X509Certificate');
    try {
      return certificateOf(base64Of(el, 'X509Certificate'));
    } catch (cause) {
      if (cause instanceof SignatureError) throw cause;
      throw new SignatureError('IncorrectCertificate', 'the signing certificate cannot be read', { cause });
    }
  })();
  const value = base64Of(must(signature, NS.ds, 'SignatureValue'), 'SignatureValue');
  if (!xmlVerify(certificate.publicKey, signatureMethod, excC14n(signedInfo), value))
    throw new SignatureError('InvalidSignatureValue', 'the signature value does not verify');

  // The SignedProperties must be the one inside this signature's QualifyingProperties.
  const qp = must(must(signature, NS.ds, 'Object'), NS.xades, 'QualifyingProperties');
  if (qp.getAttribute('Target') !== '#signature' || signature.getAttribute('Id') !== 'signature')
    throw new SignatureError('MalformedSignature', 'QualifyingProperties do not target this signature');
  const sp = must(qp, NS.xades, 'SignedProperties');
  const spId = sp.getAttribute('Id') ?? '';
  if (propsRef.getAttribute('URI') !== `#${spId}` || findById(doc, spId) !== sp)
    throw new SignatureError('InvalidReference', 'the SignedProperties reference does not resolve');
  const spDigest = readDigest(propsRef);
  if (!bytesEqual(digest(spDigest.hash, excC14n(sp)), spDigest.value))
    throw new SignatureError('InvalidReference', 'SignedProperties digest mismatch');

  const ssp = must(sp, NS.xades, 'SignedSignatureProperties');
  const signingTime = new Date(must(ssp, NS.xades, 'SigningTime').textContent ?? '');
  if (Number.isNaN(signingTime.getTime())) throw new SignatureError('MalformedSignature', 'bad SigningTime');
  const certDigest = readDigest(
    must(must(must(ssp, NS.xades, 'SigningCertificate'), NS.xades, 'Cert'), NS.xades, 'CertDigest'),
  );
  if (!bytesEqual(digest(certDigest.hash, certificate.der), certDigest.value))
    throw new SignatureError(
      'IncorrectCertificate',
      'SigningCertificate does not name the KeyInfo certificate',
    );

  const ocspResponses: Uint8Array[] = [];
  const unsigned = child(qp, NS.xades, 'UnsignedProperties', false);
  const revocation = unsigned
    ? child(must(unsigned, NS.xades, 'UnsignedSignatureProperties'), NS.xades, 'RevocationValues', false)
    : undefined;
  const ocspValues = revocation ? child(revocation, NS.xades, 'OCSPValues', false) : undefined;
  for (const el of ocspValues ? childElements(ocspValues) : []) {
    if (el.namespaceURI === NS.xades && el.localName === 'EncapsulatedOCSPValue')
      ocspResponses.push(base64Of(el, 'EncapsulatedOCSPValue'));
  }
  const ref = readDigest(dataRef);
  return {
    certificate,
    ocspResponses,
    signingTime,
    reference: { uri: dataUri, digestAlgorithm: ref.hash, digest: ref.value },
    signatureValue: value,
  };
}
