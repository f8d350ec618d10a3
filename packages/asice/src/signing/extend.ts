/**
 * Building blocks for extending a signature to XAdES-BASELINE-T/LT: the octets a signature
 * time-stamp must cover, and adding the unsigned properties (SignatureTimeStamp,
 * CertificateValues, RevocationValues) without touching a byte of the signed parts. Obtaining the
 * time-stamp and the OCSP response is the PKI layer's job.
 */
import { AsiceError } from '../errors.js';
import { C14N, canonicalize, isC14nAlgorithm } from '../xml/c14n.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse.js';
import { encodeBase64 } from '../xml/base64.js';
import { parseXmlSignature } from '../xmldsig/signature.js';
import { signedInfoOctets } from '../xmldsig/verify.js';
import type { XmlElement } from '../xml/dom.js';

/** The one ds:Signature of a signature file (the files this package writes hold one each). */
function onlySignature(xml: Uint8Array): XmlElement {
  const root = parseXml(xml).documentElement!;
  const signatures = elementChildren(root).filter((el) => isNamed(el, NS.ds, 'Signature'));
  if (signatures.length !== 1) throw new AsiceError('SIGNING_BAD_INPUT', 'expected exactly one ds:Signature');
  return signatures[0]!;
}

/** What a SignatureTimeStamp over this signature must cover: its canonical ds:SignatureValue. */
export function signatureTimeStampData(
  signatureFile: Uint8Array,
  canonicalization: string = C14N.exc,
): Buffer {
  if (!isC14nAlgorithm(canonicalization))
    throw new AsiceError('SIGNING_BAD_INPUT', 'unsupported canonicalization');
  const signature = parseXmlSignature(onlySignature(signatureFile));
  if (signature.signatureValue.value.length === 0)
    throw new AsiceError('SIGNING_BAD_INPUT', 'signature has no value yet');
  return canonicalize(signature.signatureValue.element, { algorithm: canonicalization });
}

export interface UnsignedPropertiesInput {
  /** DER TimeStampToken over `signatureTimeStampData(file, canonicalization)`. */
  readonly signatureTimeStamp?: { readonly token: Uint8Array; readonly canonicalization?: string };
  /** Certificates for CertificateValues (chain, OCSP responder), DER. */
  readonly certificateValues?: readonly Uint8Array[];
  /** OCSP responses (DER OCSPResponse) for RevocationValues. */
  readonly ocspResponses?: readonly Uint8Array[];
}

/**
 * Adds xades:UnsignedProperties to a signature that has none. The canonical SignedInfo and
 * SignedProperties are compared before and after, so a change to anything signed is impossible.
 */
export function addUnsignedProperties(signatureFile: Uint8Array, input: UnsignedPropertiesInput): Buffer {
  const xml = Buffer.from(signatureFile).toString('utf8');
  const before = signedOctets(signatureFile);
  const signature = onlySignature(signatureFile);
  const qp = elementChildren(signature)
    .filter((el) => isNamed(el, NS.ds, 'Object'))
    .flatMap((o) => elementChildren(o).filter((el) => isNamed(el, NS.xades, 'QualifyingProperties')))[0];
  if (!qp) throw new AsiceError('SIGNING_BAD_INPUT', 'signature has no QualifyingProperties');
  if (elementChildren(qp).some((el) => isNamed(el, NS.xades, 'UnsignedProperties'))) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'signature already has UnsignedProperties');
  }
  const x = qp.prefix ? `${qp.prefix}:` : '';
  const closing = `</${x}QualifyingProperties>`;
  if (xml.indexOf(closing) < 0 || xml.indexOf(closing) !== xml.lastIndexOf(closing)) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'cannot locate the end of QualifyingProperties');
  }
  const ds = signature.prefix ? `${signature.prefix}:` : '';
  let usp = '';
  if (input.signatureTimeStamp) {
    const c14n = input.signatureTimeStamp.canonicalization ?? C14N.exc;
    usp +=
      `<${x}SignatureTimeStamp Id="TS-${signature.getAttribute('Id') ?? ''}">` +
      `<${ds}CanonicalizationMethod Algorithm="${c14n}"/>` +
      `<${x}EncapsulatedTimeStamp>${encodeBase64(input.signatureTimeStamp.token)}</${x}EncapsulatedTimeStamp>` +
      `</${x}SignatureTimeStamp>`;
  }
  if (input.certificateValues?.length) {
    usp += `<${x}CertificateValues>${input.certificateValues
      .map((c) => `<${x}EncapsulatedX509Certificate>${encodeBase64(c)}</${x}EncapsulatedX509Certificate>`)
      .join('')}</${x}CertificateValues>`;
  }
  if (input.ocspResponses?.length) {
    usp += `<${x}RevocationValues><${x}OCSPValues>${input.ocspResponses
      .map((r) => `<${x}EncapsulatedOCSPValue>${encodeBase64(r)}</${x}EncapsulatedOCSPValue>`)
      .join('')}</${x}OCSPValues></${x}RevocationValues>`;
  }
  const unsigned = `<${x}UnsignedProperties><${x}UnsignedSignatureProperties>${usp}</${x}UnsignedSignatureProperties></${x}UnsignedProperties>`;
  const at = xml.indexOf(closing);
  const out = Buffer.from(xml.slice(0, at) + unsigned + xml.slice(at), 'utf8');
  const after = signedOctets(out);
  if (!before.equals(after))
    throw new AsiceError('SIGNING_BAD_INPUT', 'adding unsigned properties changed signed content');
  return out;
}

/** Canonical SignedInfo followed by the canonical SignedProperties: everything the signature value covers. */
function signedOctets(file: Uint8Array): Buffer {
  const signature = parseXmlSignature(onlySignature(file));
  const sp = signature.objects
    .flatMap((o) => elementChildren(o).filter((el) => isNamed(el, NS.xades, 'QualifyingProperties')))
    .flatMap((qp) => elementChildren(qp).filter((el) => isNamed(el, NS.xades, 'SignedProperties')))[0];
  if (!sp) throw new AsiceError('SIGNING_BAD_INPUT', 'signature has no SignedProperties');
  return Buffer.concat([
    signedInfoOctets(signature.signedInfo),
    canonicalize(sp, { algorithm: C14N.c14n10 }),
  ]);
}
