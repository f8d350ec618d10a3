import { checkIdCode } from '@riik/core';
import { documentTypeOfPolicies, OID, type Certificate, type DocumentType } from '@riik/pki';

/** Who a person certificate names, as the login service reports it. */
export interface PersonIdentity {
  /** ETSI EN 319 412-1 semantics identifier from serialNumber, e.g. `PNOEE-38001085718`. */
  semanticsIdentifier: string;
  /** Country of the identity (from the semantics identifier). */
  country: string;
  /** The personal identification code itself. */
  idCode: string;
  givenName: string;
  surname: string;
  /** ISO date, when the code carries it (Estonian codes do). */
  dateOfBirth?: string;
  /** Which document the certificate lives on, from its policies. */
  documentType?: DocumentType;
}

const SEMANTICS_ID = /^PNO([A-Z]{2})-([0-9A-Za-z-]{1,30})$/;

/** "JAAK-KRISTJAN" → "Jaak-Kristjan", "JÕEORG" → "Jõeorg": names as printed on the card. */
export function titleCase(name: string): string {
  return name.toLocaleLowerCase('et').replace(/(^|[\s'-])(\p{L})/gu, (_, sep: string, ch: string) => {
    return sep + ch.toLocaleUpperCase('et');
  });
}

/** The person a certificate names, or undefined when its subject has no personal identifier. */
export function personOfCertificate(cert: Certificate): PersonIdentity | undefined {
  const serial = cert.subjectValues(OID.serialNumber)[0];
  const m = serial ? SEMANTICS_ID.exec(serial) : null;
  if (!m) return undefined;
  const country = m[1]!;
  const idCode = m[2]!;
  const given = cert.subjectValues(OID.givenName)[0] ?? '';
  const sur = cert.subjectValues(OID.surname)[0] ?? '';
  const check = country === 'EE' ? checkIdCode(idCode) : undefined;
  if (check && !check.valid) return undefined;
  const documentType = documentTypeOfPolicies(cert.policies);
  return {
    semanticsIdentifier: serial!,
    country,
    idCode,
    givenName: titleCase(given),
    surname: titleCase(sur),
    ...(check?.valid ? { dateOfBirth: check.idCode.birthDate } : {}),
    ...(documentType ? { documentType } : {}),
  };
}
