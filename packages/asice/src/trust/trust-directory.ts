/**
 * A trust directory: PEM (or DER) certificate files, each trusted for every role, and optionally
 * trusted lists (*.xml, ETSI TS 119 612) whose services add their own roles and status history.
 * This is what `riik verify --trust DIR` reads; other files are ignored.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Certificate } from '@riik/pki';
import { AsiceError } from '../errors.js';
import { parseTrustedList } from './trusted-list.js';
import { TrustStore } from './trust-store.js';

const CERTIFICATE_FILE = /\.(pem|crt|cer|der)$/i;
const TRUSTED_LIST_FILE = /\.xml$/i;
/** Trust material is small; a bigger file is a mistake, not a certificate. */
const MAX_FILE = 8 * 1024 * 1024;

export interface TrustDirectoryOptions {
  /** Read trusted lists (*.xml) too (default true). */
  readonly trustedLists?: boolean;
}

export function loadTrustDirectory(dir: string, options: TrustDirectoryOptions = {}): TrustStore {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (cause) {
    throw new AsiceError('TRUST_CONFIG_INVALID', `cannot read trust directory ${dir}`, { cause });
  }
  const certificates: Certificate[] = [];
  let store = new TrustStore([]);
  for (const name of names) {
    const path = join(dir, name);
    const isCertificate = CERTIFICATE_FILE.test(name);
    const isList = (options.trustedLists ?? true) && TRUSTED_LIST_FILE.test(name);
    if (!isCertificate && !isList) continue;
    const stat = statSync(path);
    if (!stat.isFile()) continue;
    if (stat.size > MAX_FILE) throw new AsiceError('TRUST_CONFIG_INVALID', `${path} is too large`);
    const bytes = readFileSync(path);
    if (isList) {
      store = store.concat(new TrustStore(parseTrustedList(bytes)));
      continue;
    }
    try {
      const text = bytes.toString('latin1');
      certificates.push(
        ...(text.includes('-----BEGIN') ? Certificate.allFromPem(text) : [Certificate.fromDer(bytes)]),
      );
    } catch (cause) {
      throw new AsiceError('TRUST_CONFIG_INVALID', `${path} is not a certificate`, { cause });
    }
  }
  return TrustStore.fromCertificates(certificates, dir).concat(store);
}
