/**
 * Reads the XAdES qualifying properties of a ds:Signature into the typed model. Schema-level
 * structure is enforced (XADES_MALFORMED); values are checked later by the validators.
 */
import type { XmlElement } from '../xml/dom.js';
import { AsiceError } from '../errors.js';
import { decodeBase64Strict } from '../xml/base64.js';
import { C14N } from '../xml/c14n.js';
import { attribute, childrenNamed, describe, elementChildren, isNamed, textOnly } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import type { XmlSignature } from '../xmldsig/signature.js';
import { signatureLevel } from './level.js';
import type {
  CertId,
  DataObjectFormat,
  DigestAlgAndValue,
  QualifyingProperties,
  SignaturePolicy,
  SignatureProductionPlace,
  SignedProperties,
  SignerRole,
  SigningCertificate,
  UnsignedProperties,
  XadesSignature,
  XadesTimeStamp,
} from './model.js';

function malformed(message: string): AsiceError {
  return new AsiceError('XADES_MALFORMED', message);
}

export function parseXadesSignature(xml: XmlSignature, file: string): XadesSignature {
  const candidates = xml.objects.flatMap((o) => childrenNamed(o, NS.xades, 'QualifyingProperties'));
  if (candidates.length === 0) throw malformed('signature has no xades:QualifyingProperties');
  if (candidates.length > 1) throw malformed('signature has more than one xades:QualifyingProperties');
  const qualifyingProperties = parseQualifyingProperties(candidates[0]!);
  return { file, xml, qualifyingProperties, level: signatureLevel(qualifyingProperties) };
}

function parseQualifyingProperties(el: XmlElement): QualifyingProperties {
  const [first, second, ...extra] = elementChildren(el);
  if (!first || !isNamed(first, NS.xades, 'SignedProperties')) {
    throw malformed('xades:QualifyingProperties must start with xades:SignedProperties');
  }
  if (extra.length > 0 || (second && !isNamed(second, NS.xades, 'UnsignedProperties'))) {
    throw malformed('unexpected content in xades:QualifyingProperties');
  }
  const target = attribute(el, 'Target');
  return {
    element: el,
    ...(target !== undefined ? { target } : {}),
    signedProperties: parseSignedProperties(first),
    unsignedProperties: parseUnsignedProperties(second),
  };
}

function parseSignedProperties(el: XmlElement): SignedProperties {
  const ssp = single(el, NS.xades, 'SignedSignatureProperties');
  if (!ssp) throw malformed('xades:SignedProperties has no xades:SignedSignatureProperties');
  const unevaluated: string[] = [];
  const sdop = single(el, NS.xades, 'SignedDataObjectProperties');
  const dataObjectFormats: DataObjectFormat[] = [];
  if (sdop) {
    for (const child of elementChildren(sdop)) {
      if (isNamed(child, NS.xades, 'DataObjectFormat')) dataObjectFormats.push(parseDataObjectFormat(child));
      else unevaluated.push(child.localName ?? describe(child));
    }
  }

  const signingTimeEl = single(ssp, NS.xades, 'SigningTime');
  const signingCertificate = parseSigningCertificate(ssp);
  const policyEl = single(ssp, NS.xades, 'SignaturePolicyIdentifier');
  const productionPlace = parseProductionPlace(ssp);
  const signerRole = parseSignerRole(ssp);
  const id = attribute(el, 'Id');
  return {
    element: el,
    ...(id !== undefined ? { id } : {}),
    ...(signingTimeEl ? { signingTime: parseDateTime(requireText(signingTimeEl)) } : {}),
    ...(signingCertificate ? { signingCertificate } : {}),
    ...(policyEl ? { policy: parsePolicy(policyEl) } : {}),
    ...(productionPlace ? { productionPlace } : {}),
    ...(signerRole ? { signerRole } : {}),
    dataObjectFormats,
    unevaluated,
  };
}

function parseSigningCertificate(ssp: XmlElement): SigningCertificate | undefined {
  const v1 = single(ssp, NS.xades, 'SigningCertificate');
  const v2 = single(ssp, NS.xades, 'SigningCertificateV2');
  if (v1 && v2) throw malformed('both SigningCertificate and SigningCertificateV2');
  const el = v1 ?? v2;
  if (!el) return undefined;
  const version = v1 ? 1 : 2;
  const certs = elementChildren(el).map((cert): CertId => {
    if (!isNamed(cert, NS.xades, 'Cert')) throw malformed(`unexpected ${describe(cert)} in ${el.localName}`);
    const digestEl = single(cert, NS.xades, 'CertDigest');
    if (!digestEl) throw malformed('xades:Cert has no xades:CertDigest');
    const certDigest = parseDigestAlgAndValue(digestEl);
    if (version === 1) {
      const issuerSerial = single(cert, NS.xades, 'IssuerSerial');
      if (!issuerSerial) throw malformed('SigningCertificate/Cert has no IssuerSerial');
      const name = single(issuerSerial, NS.ds, 'X509IssuerName');
      const serial = single(issuerSerial, NS.ds, 'X509SerialNumber');
      if (!name || !serial) throw malformed('IssuerSerial lacks X509IssuerName or X509SerialNumber');
      const serialNumber = requireText(serial).trim();
      if (!/^-?\d+$/.test(serialNumber)) throw malformed('X509SerialNumber is not an integer');
      return { certDigest, issuerSerial: { issuerName: requireText(name), serialNumber } };
    }
    const issuerSerialV2 = single(cert, NS.xades, 'IssuerSerialV2');
    if (!issuerSerialV2) return { certDigest };
    const der = decodeBase64Strict(requireText(issuerSerialV2));
    if (!der) throw malformed('IssuerSerialV2 is not base64');
    return { certDigest, issuerSerialV2: der };
  });
  if (certs.length === 0) throw malformed(`${el.localName} holds no xades:Cert`);
  return { version, certs };
}

function parsePolicy(el: XmlElement): SignaturePolicy {
  const implied = single(el, NS.xades, 'SignaturePolicyImplied');
  const id = single(el, NS.xades, 'SignaturePolicyId');
  if (!implied === !id)
    throw malformed(
      'SignaturePolicyIdentifier needs exactly one of SignaturePolicyId, SignaturePolicyImplied',
    );
  if (!id) return { implied: true, spuris: [] };
  const sigPolicyId = single(id, NS.xades, 'SigPolicyId');
  const identifierEl = sigPolicyId && single(sigPolicyId, NS.xades, 'Identifier');
  if (!identifierEl) throw malformed('SignaturePolicyId has no SigPolicyId/Identifier');
  const identifier = requireText(identifierEl).trim();
  const qualifier = attribute(identifierEl, 'Qualifier');
  const oid = /^(?:urn:oid:)?(\d+(?:\.\d+)+)$/i.exec(identifier)?.[1];
  const hashEl = single(id, NS.xades, 'SigPolicyHash');
  const spuris: string[] = [];
  const qualifiers = single(id, NS.xades, 'SigPolicyQualifiers');
  for (const q of qualifiers ? childrenNamed(qualifiers, NS.xades, 'SigPolicyQualifier') : []) {
    for (const spuri of childrenNamed(q, NS.xades, 'SPURI')) spuris.push(requireText(spuri).trim());
  }
  return {
    implied: false,
    identifier,
    ...(qualifier !== undefined ? { qualifier } : {}),
    ...(oid ? { oid } : {}),
    ...(hashEl ? { hash: parseDigestAlgAndValue(hashEl) } : {}),
    spuris,
  };
}

function parseProductionPlace(ssp: XmlElement): SignatureProductionPlace | undefined {
  const v1 = single(ssp, NS.xades, 'SignatureProductionPlace');
  const v2 = single(ssp, NS.xades, 'SignatureProductionPlaceV2');
  if (v1 && v2) throw malformed('both SignatureProductionPlace and SignatureProductionPlaceV2');
  const el = v1 ?? v2;
  if (!el) return undefined;
  const field = (name: string): Record<string, string> => {
    const child = single(el, NS.xades, name);
    return child ? { [name.charAt(0).toLowerCase() + name.slice(1)]: requireText(child) } : {};
  };
  return {
    version: v1 ? 1 : 2,
    ...field('City'),
    ...field('StreetAddress'),
    ...field('StateOrProvince'),
    ...field('PostalCode'),
    ...field('CountryName'),
  };
}

function parseSignerRole(ssp: XmlElement): SignerRole | undefined {
  const v1 = single(ssp, NS.xades, 'SignerRole');
  const v2 = single(ssp, NS.xades, 'SignerRoleV2');
  if (v1 && v2) throw malformed('both SignerRole and SignerRoleV2');
  const el = v1 ?? v2;
  if (!el) return undefined;
  const claimed = single(el, NS.xades, 'ClaimedRoles');
  const claimedRoles = claimed
    ? childrenNamed(claimed, NS.xades, 'ClaimedRole').map((r) => textOnly(r) ?? '')
    : [];
  return { version: v1 ? 1 : 2, claimedRoles };
}

function parseDataObjectFormat(el: XmlElement): DataObjectFormat {
  const objectReference = attribute(el, 'ObjectReference');
  if (objectReference === undefined) throw malformed('DataObjectFormat has no ObjectReference');
  const text = (name: string): Record<string, string> => {
    const child = single(el, NS.xades, name);
    return child ? { [name.charAt(0).toLowerCase() + name.slice(1)]: requireText(child).trim() } : {};
  };
  return { objectReference, ...text('MimeType'), ...text('Description'), ...text('Encoding') };
}

const UNSIGNED_UNEVALUATED = new Set([
  'CounterSignature',
  'CompleteCertificateRefs',
  'CompleteRevocationRefs',
  'AttributeCertificateRefs',
  'AttributeRevocationRefs',
  'SigAndRefsTimeStamp',
  'RefsOnlyTimeStamp',
  'AttrAuthoritiesCertValues',
  'AttributeRevocationValues',
  'ArchiveTimeStamp', // the XAdES 1.3.2 form; the 1.4.1 one is evaluated
]);

function parseUnsignedProperties(el: XmlElement | undefined): UnsignedProperties {
  const props = {
    signatureTimeStamps: [] as XadesTimeStamp[],
    certificateValues: [] as Uint8Array[],
    ocspValues: [] as Uint8Array[],
    crlValues: [] as Uint8Array[],
    archiveTimeStamps: [] as XadesTimeStamp[],
    timeStampValidationData: {
      certificates: [] as Uint8Array[],
      ocspValues: [] as Uint8Array[],
      crlValues: [] as Uint8Array[],
    },
    unevaluated: [] as string[],
  };
  if (!el) return props;
  for (const child of elementChildren(el)) {
    if (isNamed(child, NS.xades, 'UnsignedDataObjectProperties'))
      props.unevaluated.push('UnsignedDataObjectProperties');
    else if (!isNamed(child, NS.xades, 'UnsignedSignatureProperties')) {
      throw malformed(`unexpected ${describe(child)} in xades:UnsignedProperties`);
    }
  }
  const usp = single(el, NS.xades, 'UnsignedSignatureProperties');
  for (const child of usp ? elementChildren(usp) : []) {
    if (isNamed(child, NS.xades, 'SignatureTimeStamp')) {
      props.signatureTimeStamps.push(parseTimeStamp(child, 'SignatureTimeStamp'));
    } else if (isNamed(child, NS.xades, 'CertificateValues')) {
      props.certificateValues.push(...encapsulated(child, 'EncapsulatedX509Certificate'));
    } else if (isNamed(child, NS.xades, 'RevocationValues')) {
      const revocation = parseRevocationValues(child);
      props.ocspValues.push(...revocation.ocsp);
      props.crlValues.push(...revocation.crl);
    } else if (isNamed(child, NS.xades141, 'ArchiveTimeStamp')) {
      props.archiveTimeStamps.push(parseTimeStamp(child, 'ArchiveTimeStamp'));
    } else if (isNamed(child, NS.xades141, 'TimeStampValidationData')) {
      const certs = single(child, NS.xades, 'CertificateValues');
      if (certs)
        props.timeStampValidationData.certificates.push(
          ...encapsulated(certs, 'EncapsulatedX509Certificate'),
        );
      const rev = single(child, NS.xades, 'RevocationValues');
      if (rev) {
        const revocation = parseRevocationValues(rev);
        props.timeStampValidationData.ocspValues.push(...revocation.ocsp);
        props.timeStampValidationData.crlValues.push(...revocation.crl);
      }
    } else if (UNSIGNED_UNEVALUATED.has(child.localName ?? '') || child.namespaceURI === NS.xades141) {
      props.unevaluated.push(child.localName ?? describe(child));
    } else {
      throw malformed(`unexpected ${describe(child)} in xades:UnsignedSignatureProperties`);
    }
  }
  return { element: el, ...props };
}

function parseRevocationValues(el: XmlElement): { ocsp: Uint8Array[]; crl: Uint8Array[] } {
  const ocspEl = single(el, NS.xades, 'OCSPValues');
  const crlEl = single(el, NS.xades, 'CRLValues');
  return {
    ocsp: ocspEl ? encapsulated(ocspEl, 'EncapsulatedOCSPValue') : [],
    crl: crlEl ? encapsulated(crlEl, 'EncapsulatedCRLValue') : [],
  };
}

function parseTimeStamp(el: XmlElement, kind: XadesTimeStamp['kind']): XadesTimeStamp {
  const c14nEl = single(el, NS.ds, 'CanonicalizationMethod');
  const algorithm = c14nEl ? attribute(c14nEl, 'Algorithm') : C14N.c14n10;
  if (!algorithm) throw malformed(`${kind} CanonicalizationMethod has no Algorithm`);
  if (childrenNamed(el, NS.xades, 'XMLTimeStamp').length > 0)
    throw malformed(`${kind} with XMLTimeStamp is not supported`);
  const tokens = encapsulated(el, 'EncapsulatedTimeStamp');
  if (tokens.length === 0) throw malformed(`${kind} has no EncapsulatedTimeStamp`);
  const id = attribute(el, 'Id');
  return {
    element: el,
    kind,
    ...(id !== undefined ? { id } : {}),
    canonicalizationMethod: algorithm,
    tokens,
  };
}

/** The DER of each `name` child (base64; the Encoding attribute, when present, must say DER). */
function encapsulated(parent: XmlElement, name: string): Uint8Array[] {
  return childrenNamed(parent, NS.xades, name).map((el) => {
    const encoding = attribute(el, 'Encoding');
    if (encoding !== undefined && encoding !== 'http://uri.etsi.org/01903/v1.2.2#DER') {
      throw malformed(`${name} with Encoding ${encoding} is not supported`);
    }
    const der = decodeBase64Strict(requireText(el));
    if (!der || der.length === 0) throw malformed(`${name} is not base64`);
    return der;
  });
}

function parseDigestAlgAndValue(el: XmlElement): DigestAlgAndValue {
  const method = single(el, NS.ds, 'DigestMethod');
  const valueEl = single(el, NS.ds, 'DigestValue');
  const algorithm = method && attribute(method, 'Algorithm');
  if (!algorithm || !valueEl) throw malformed(`${describe(el)} needs ds:DigestMethod and ds:DigestValue`);
  const value = decodeBase64Strict(requireText(valueEl));
  if (!value) throw malformed(`${describe(el)} DigestValue is not base64`);
  return { algorithm, value };
}

/** xs:dateTime; a value without a zone is read as UTC. */
export function parseDateTime(text: string): Date {
  const m = /^\s*(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?\s*$/.exec(
    text,
  );
  if (!m) throw malformed(`not an xs:dateTime: ${JSON.stringify(text)}`);
  const zone = m[8] ?? 'Z';
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${zone}`);
  if (Number.isNaN(date.getTime())) throw malformed(`not an xs:dateTime: ${JSON.stringify(text)}`);
  return date;
}

function single(parent: XmlElement, ns: string, name: string): XmlElement | undefined {
  const found = childrenNamed(parent, ns, name);
  if (found.length > 1) throw malformed(`more than one ${name} in ${describe(parent)}`);
  return found[0];
}

function requireText(el: XmlElement): string {
  const text = textOnly(el);
  if (text === undefined) throw malformed(`${describe(el)} must hold text only`);
  return text;
}
