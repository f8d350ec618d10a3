import { z } from 'zod';
import {
  parseCsr,
  personAuthProfile,
  personSignProfile,
  tsaProfile,
  xroadAuthProfile,
  xroadSignProfile,
  type Certificate,
  type ProfileOutput,
} from '@riik/pki';
import type { IssuerId } from './layout.js';

/** The profiles the operator API issues, the issuer each belongs to, and the subject it needs. */
const personSubject = z.object({
  idCode: z.string(),
  givenName: z.string().min(1).max(64),
  surname: z.string().min(1).max(64),
  documentType: z.enum(['id-card', 'digi-id', 'e-resident', 'mobile-id', 'smart-id']),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
});
const organisationSubject = z.object({
  name: z.string().min(1).max(128),
  memberCode: z.string().min(1).max(64),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
});
const serverSubject = organisationSubject.extend({
  instance: z.string().min(1).max(64),
  memberClass: z.string().min(1).max(64),
  serverCode: z.string().min(1).max(64),
});
const unitSubject = z.object({
  commonName: z.string().min(1).max(64),
  organisation: z.string().min(1).max(128),
});

export const issueRequestSchema = z.discriminatedUnion('profile', [
  z.object({ profile: z.literal('person-auth'), csr: z.string().max(16_384), subject: personSubject }),
  z.object({ profile: z.literal('person-sign'), csr: z.string().max(16_384), subject: personSubject }),
  z.object({ profile: z.literal('xroad-auth'), csr: z.string().max(16_384), subject: serverSubject }),
  z.object({ profile: z.literal('xroad-sign'), csr: z.string().max(16_384), subject: organisationSubject }),
  z.object({ profile: z.literal('tsa'), csr: z.string().max(16_384), subject: unitSubject }),
]);
export type IssueRequest = z.infer<typeof issueRequestSchema>;
export type ProfileName = IssueRequest['profile'];

export interface PreparedIssue {
  issuer: IssuerId;
  profile: ProfileOutput;
  subjectPublicKeyInfo: Uint8Array;
  idCode?: string;
}

/** Check the CSR's proof of possession and turn a request into a profile and an issuer. */
export function prepareIssue(request: IssueRequest): PreparedIssue {
  const csr = parseCsr(request.csr.includes('-----BEGIN') ? request.csr : Buffer.from(request.csr, 'base64'));
  const spki = csr.subjectPublicKeyInfo;
  switch (request.profile) {
    case 'person-auth':
      return {
        issuer: 'esteid',
        profile: personAuthProfile(request.subject),
        subjectPublicKeyInfo: spki,
        idCode: request.subject.idCode,
      };
    case 'person-sign':
      return {
        issuer: 'esteid',
        profile: personSignProfile(request.subject),
        subjectPublicKeyInfo: spki,
        idCode: request.subject.idCode,
      };
    case 'xroad-auth':
      return { issuer: 'org', profile: xroadAuthProfile(request.subject), subjectPublicKeyInfo: spki };
    case 'xroad-sign':
      return { issuer: 'org', profile: xroadSignProfile(request.subject), subjectPublicKeyInfo: spki };
    case 'tsa':
      return { issuer: 'org', profile: tsaProfile(request.subject), subjectPublicKeyInfo: spki };
  }
}

export function describeCertificate(cert: Certificate, issuer: string, profile: string) {
  return {
    serial: cert.serialHex,
    issuer,
    profile,
    subject: cert.subjectString,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    certificate: cert.toPem(),
  };
}
