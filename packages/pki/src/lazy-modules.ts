import { createRequire } from 'node:module';
import type * as Asn1Csr from '@peculiar/asn1-csr';
import type * as Asn1Ocsp from '@peculiar/asn1-ocsp';
import type * as Asn1Rsa from '@peculiar/asn1-rsa';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';
import type * as Asn1X509Qualified from '@peculiar/asn1-x509-qualified';

/**
 * The ASN.1 library (@peculiar/asn1-*), loaded on first use. Validation reads certificates, OCSP
 * responses and time-stamp tokens by hand (see x509/certificate-fields.ts, ocsp/response.ts,
 * tsp/token.ts) and needs the library only for unusual encodings; building certificates, CRLs,
 * CSRs and OCSP requests needs it. Imported statically, its ~130 modules were a third of the
 * start-up of `riik verify`. The packages are CommonJS, which an ES module import would load
 * through the same module cache, so the classes are the same either way.
 */
const require = createRequire(import.meta.url);

const loaded: {
  schema?: typeof Asn1Schema;
  x509?: typeof Asn1X509;
  qualified?: typeof Asn1X509Qualified;
  rsa?: typeof Asn1Rsa;
  ocsp?: typeof Asn1Ocsp;
  csr?: typeof Asn1Csr;
} = {};

export function asn1Schema(): typeof Asn1Schema {
  return (loaded.schema ??= require('@peculiar/asn1-schema') as typeof Asn1Schema);
}

export function asn1X509(): typeof Asn1X509 {
  return (loaded.x509 ??= require('@peculiar/asn1-x509') as typeof Asn1X509);
}

export function asn1X509Qualified(): typeof Asn1X509Qualified {
  return (loaded.qualified ??= require('@peculiar/asn1-x509-qualified') as typeof Asn1X509Qualified);
}

export function asn1Rsa(): typeof Asn1Rsa {
  return (loaded.rsa ??= require('@peculiar/asn1-rsa') as typeof Asn1Rsa);
}

export function asn1Ocsp(): typeof Asn1Ocsp {
  return (loaded.ocsp ??= require('@peculiar/asn1-ocsp') as typeof Asn1Ocsp);
}

export function asn1Csr(): typeof Asn1Csr {
  return (loaded.csr ??= require('@peculiar/asn1-csr') as typeof Asn1Csr);
}
