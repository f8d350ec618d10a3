import type { CertificationRequest } from '@peculiar/asn1-csr';
import type { Name } from '@peculiar/asn1-x509';
import { fromPem, toPem } from '@riik/core';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { publicKeyFromSpki, signatureAlgorithm, spkiOf, verifySignature } from '../algorithms.js';
import { arrayBuffer, bytes, firstElementBytes, parseDer, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { asn1Csr, asn1Schema, asn1X509 } from '../lazy-modules.js';
import { buildName } from './name.js';

/** A PKCS#10 request whose self-signature has been checked (proof of possession). */
export interface VerifiedCsr {
  der: Uint8Array;
  subject: Name;
  subjectPublicKeyInfo: Uint8Array;
}

/** Parse a CSR (PEM or DER) and verify it is signed by the key it carries. */
export function parseCsr(input: string | Uint8Array): VerifiedCsr {
  let der: Uint8Array;
  try {
    der = typeof input === 'string' ? fromPem('CERTIFICATE REQUEST', input) : input;
  } catch (err) {
    throw new PkiError('BAD_CSR', 'no CERTIFICATE REQUEST PEM block', { cause: err });
  }
  let csr: CertificationRequest;
  let info: Uint8Array;
  try {
    csr = parseDer(der, asn1Csr().CertificationRequest, 'certification request');
    info = firstElementBytes(der);
  } catch (err) {
    throw new PkiError('BAD_CSR', (err as Error).message, { cause: err });
  }
  const spki = serializeDer(csr.certificationRequestInfo.subjectPKInfo);
  const key = publicKeyFromSpki(spki);
  if (!verifySignature(key, csr.signatureAlgorithm, info, bytes(csr.signature))) {
    throw new PkiError('BAD_CSR', 'the request is not signed by the key it certifies');
  }
  return { der, subject: csr.certificationRequestInfo.subject, subjectPublicKeyInfo: spki };
}

/** Build a PKCS#10 request signed by `signer` (used by eID tokens and security servers). */
export async function buildCsr(
  signer: Signer,
  subject: Name = buildName({}),
  hash: HashAlgorithm = 'SHA-384',
): Promise<Uint8Array> {
  const { CertificationRequest, CertificationRequestInfo } = asn1Csr();
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: asn1Schema().AsnConvert.parse(spkiOf(signer.publicKey), asn1X509().SubjectPublicKeyInfo),
  });
  const infoDer = serializeDer(info);
  const signature = await signer.sign(infoDer, hash);
  const csr = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: signatureAlgorithm(signer, hash),
    signature: arrayBuffer(signature),
  });
  return serializeDer(csr);
}

export function csrToPem(der: Uint8Array): string {
  return toPem('CERTIFICATE REQUEST', der);
}
