import type { Extension, Name } from '@peculiar/asn1-x509';
import { parseIdCode } from '@riik/core/idcode/index';
import { PkiError } from '../errors.js';
import { DOCUMENT_POLICY, OID, type DocumentType } from '../oids.js';
import { extensions } from '../x509/extensions.js';
import { buildName } from '../x509/name.js';

/**
 * Certificate profiles: what a certificate of each kind says about its subject and how its key
 * may be used. Person profiles follow SK ID Solutions' ESTEID2018 profile for ID-1 documents;
 * X-Road profiles follow the X-Road certificate profiles. docs/pki.md tabulates them.
 */
export interface ProfileOutput {
  subject: Name;
  /** Profile-specific extensions; the CA adds SKI, AKI, AIA and CRL DP. */
  extensions: Extension[];
  validityDays: number;
  /** Whether the CA adds AIA (OCSP, caIssuers) and CRL distribution point. */
  revocable: boolean;
}

export interface PersonSubject {
  idCode: string;
  givenName: string;
  surname: string;
  documentType: DocumentType;
  /** Country of the identity; EE for Estonian documents, also for e-residents' digi-IDs. */
  country?: string;
}

const NAME_PART = /^[\p{L}\p{M}' -]{1,64}$/u;

function personName(p: PersonSubject): Name {
  parseIdCode(p.idCode); // throws a coded IdCodeError on an invalid code
  const given = p.givenName.trim().toUpperCase();
  const sur = p.surname.trim().toUpperCase();
  if (!NAME_PART.test(given) || !NAME_PART.test(sur)) {
    throw new PkiError('BAD_ARGUMENT', 'names must be 1-64 letters, spaces, hyphens or apostrophes');
  }
  const country = p.country ?? 'EE';
  return buildName({
    C: country,
    CN: `${sur},${given},${p.idCode}`,
    SN: sur,
    GN: given,
    serialNumber: `PNO${country}-${p.idCode}`,
  });
}

/** Authentication certificate (PIN1): digitalSignature + keyAgreement, clientAuth + emailProtection. */
export function personAuthProfile(p: PersonSubject): ProfileOutput {
  return {
    subject: personName(p),
    extensions: [
      extensions.basicConstraints(false, undefined, false),
      extensions.keyUsage(['digitalSignature', 'keyAgreement']),
      extensions.certificatePolicies([DOCUMENT_POLICY[p.documentType].auth, OID.policyNcpPlus]),
      extensions.subjectAltEmail(`${p.idCode}@eesti.ee`),
      extensions.extendedKeyUsage([OID.kpClientAuth, OID.kpEmailProtection]),
    ],
    validityDays: 5 * 365,
    revocable: true,
  };
}

/** Qualified signing certificate (PIN2): nonRepudiation only; QcCompliance, QcSSCD, QcType esign. */
export function personSignProfile(p: PersonSubject): ProfileOutput {
  return {
    subject: personName(p),
    extensions: [
      extensions.basicConstraints(false, undefined, false),
      extensions.keyUsage(['nonRepudiation']),
      extensions.certificatePolicies([DOCUMENT_POLICY[p.documentType].sign, OID.policyQcpNQscd]),
      extensions.qcStatements({ compliance: true, sscd: true, types: [OID.qctEsign] }),
    ],
    validityDays: 5 * 365,
    revocable: true,
  };
}

export interface OrganisationSubject {
  /** Organisation name, e.g. "Ministry of the Interior". */
  name: string;
  /** Registry code (X-Road member code), e.g. 70000562. */
  memberCode: string;
  country?: string;
}

export interface XRoadServerSubject extends OrganisationSubject {
  instance: string;
  memberClass: string;
  serverCode: string;
}

const TEXT = /^[\p{L}\p{M}\p{N} .,'&()/:_-]{1,128}$/u;

function checkText(...values: string[]): void {
  for (const v of values)
    if (!TEXT.test(v)) throw new PkiError('BAD_ARGUMENT', `invalid name value ${JSON.stringify(v)}`);
}

/**
 * X-Road signing certificate: the member's seal on every message (nonRepudiation), subject
 * C / O / serialNumber = member code, CN = member code (X-Road's EE subject profile).
 */
export function xroadSignProfile(o: OrganisationSubject): ProfileOutput {
  checkText(o.name, o.memberCode);
  return {
    subject: buildName({ C: o.country ?? 'EE', O: o.name, CN: o.memberCode, serialNumber: o.memberCode }),
    extensions: [
      extensions.basicConstraints(false, undefined, false),
      extensions.keyUsage(['nonRepudiation']),
      extensions.qcStatements({ compliance: true, types: [OID.qctEseal] }),
    ],
    validityDays: 2 * 365,
    revocable: true,
  };
}

/**
 * X-Road authentication certificate: the security server's TLS identity between security
 * servers, subject serialNumber = INSTANCE/SERVERCODE/MEMBERCLASS, CN = member code.
 */
export function xroadAuthProfile(s: XRoadServerSubject): ProfileOutput {
  checkText(s.name, s.memberCode, s.instance, s.memberClass, s.serverCode);
  return {
    subject: buildName({
      C: s.country ?? 'EE',
      O: s.name,
      CN: s.memberCode,
      serialNumber: `${s.instance}/${s.serverCode}/${s.memberClass}`,
    }),
    extensions: [
      extensions.basicConstraints(false, undefined, false),
      extensions.keyUsage(['digitalSignature', 'keyAgreement']),
      extensions.extendedKeyUsage([OID.kpClientAuth, OID.kpServerAuth], false),
    ],
    validityDays: 2 * 365,
    revocable: true,
  };
}

/** Delegated OCSP responder (RFC 6960 §4.2.2.2): OCSPSigning, with ocsp-nocheck. */
export function ocspResponderProfile(o: { commonName: string; organisation: string }): ProfileOutput {
  return {
    subject: buildName({ C: 'EE', O: o.organisation, CN: o.commonName }),
    extensions: [
      extensions.keyUsage(['digitalSignature']),
      extensions.extendedKeyUsage([OID.kpOCSPSigning]),
      extensions.ocspNoCheck(),
    ],
    validityDays: 365,
    revocable: false,
  };
}

/** Time-stamping unit (RFC 3161 §2.3): the only extended key usage is timeStamping, critical. */
export function tsaProfile(o: { commonName: string; organisation: string }): ProfileOutput {
  return {
    subject: buildName({ C: 'EE', O: o.organisation, CN: o.commonName }),
    extensions: [
      extensions.keyUsage(['digitalSignature']),
      extensions.extendedKeyUsage([OID.kpTimeStamping], true),
    ],
    validityDays: 3 * 365,
    revocable: true,
  };
}

export interface CaSubject {
  commonName: string;
  organisation: string;
  /** organizationIdentifier of the operator, e.g. NTREE-70000562. */
  organizationIdentifier?: string;
}

function caName(s: CaSubject): Name {
  return buildName({
    C: 'EE',
    O: s.organisation,
    organizationIdentifier: s.organizationIdentifier,
    CN: s.commonName,
  });
}

/** Self-signed root (like EE-GovCA2018): may certify one level of issuing CAs. */
export function rootCaProfile(s: CaSubject): ProfileOutput {
  return {
    subject: caName(s),
    extensions: [
      extensions.basicConstraints(true, 1),
      extensions.keyUsage(['keyCertSign', 'cRLSign']),
      extensions.certificatePolicies([OID.anyPolicy]),
    ],
    validityDays: 20 * 365,
    revocable: false,
  };
}

/** Issuing CA (like ESTEID2018): certifies end entities only, under the given policies. */
export function issuingCaProfile(s: CaSubject & { policies: string[] }): ProfileOutput {
  return {
    subject: caName(s),
    extensions: [
      extensions.basicConstraints(true, 0),
      extensions.keyUsage(['keyCertSign', 'cRLSign']),
      extensions.certificatePolicies(s.policies),
    ],
    validityDays: 12 * 365,
    revocable: true,
  };
}

/** Every policy the person-document issuing CA may assert. */
export const PERSON_CA_POLICIES: string[] = [
  OID.policyNcpPlus,
  OID.policyQcpNQscd,
  ...Object.values(DOCUMENT_POLICY).flatMap((p) => [p.auth, p.sign]),
];
