import { createRequire } from 'node:module';
import type * as Asn1Csr from '@peculiar/asn1-csr';
import type * as Asn1Ocsp from '@peculiar/asn1-ocsp';
import type * as Asn1Rsa from '@peculiar/asn1-rsa';

/**
 * ASN.1 schema packages that only a few operations need (RSASSA-PSS parameters, building OCSP
 * requests, certification requests), loaded on first use so that a short-lived command such as `riik verify` does not
 * spend its start-up loading them. They are CommonJS packages, which an ES module import loads
 * through the same CommonJS cache, so the classes are the same either way.
 */
const require = createRequire(import.meta.url);

export function asn1Rsa(): typeof Asn1Rsa {
  return require('@peculiar/asn1-rsa') as typeof Asn1Rsa;
}

export function asn1Ocsp(): typeof Asn1Ocsp {
  return require('@peculiar/asn1-ocsp') as typeof Asn1Ocsp;
}

export function asn1Csr(): typeof Asn1Csr {
  return require('@peculiar/asn1-csr') as typeof Asn1Csr;
}
