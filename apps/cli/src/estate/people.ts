import { EidToken, type KdfParams } from '@riik/eid';
import { Certificate, csrToPem, type DocumentType } from '@riik/pki';

/** Who certifies the keys: the CA's operator API (CaClient) or the CA in-process. */
export interface CertificateIssuer {
  issue(
    profile: 'person-auth' | 'person-sign',
    csrPem: string,
    subject: object,
  ): Promise<{ certificate: string }>;
}

export interface PersonTokenOptions {
  file: string;
  holder: { idCode: string; givenName: string; surname: string };
  documentType: DocumentType;
  pins: { pin1: string; pin2: string; puk: string };
  /** Lower only in tests and benchmarks. */
  kdf?: KdfParams;
}

/**
 * Make an eID token and have the CA certify both its keys: what the police does when it hands
 * out an ID-card, and SK when it registers a Smart-ID account or a Mobile-ID SIM.
 */
export async function issuePersonToken(
  ca: CertificateIssuer,
  options: PersonTokenOptions,
): Promise<EidToken> {
  const holder = {
    idCode: options.holder.idCode,
    givenName: options.holder.givenName.toUpperCase(),
    surname: options.holder.surname.toUpperCase(),
  };
  const token = await EidToken.create({
    file: options.file,
    holder,
    documentType: options.documentType,
    ...options.pins,
    ...(options.kdf ? { kdf: options.kdf } : {}),
  });
  const subject = { ...holder, documentType: options.documentType };
  for (const [slot, pin] of [
    ['auth', options.pins.pin1],
    ['sign', options.pins.pin2],
  ] as const) {
    const csr = csrToPem(await token.createCsr(slot, pin));
    const result = await ca.issue(slot === 'auth' ? 'person-auth' : 'person-sign', csr, subject);
    token.setCertificate(slot, Certificate.fromPem(result.certificate));
  }
  return token;
}
