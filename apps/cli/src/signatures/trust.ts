/**
 * Where `riik verify` and `riik sign` get their trust from: `--trust DIR` (PEM certificates and
 * trusted lists, as DigiDoc configures its TSL and anchors), else the local e-state's root
 * (<data>/ca/certs/root.pem, which the TSA's certificate chains to as well). Loaded lazily so a
 * command that does not need it does not pay for it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustStore } from '@riik/asice';
import type { Certificate } from '@riik/pki';
import { CliError } from '../output.js';

export interface TrustChoice {
  readonly store: TrustStore;
  /** Where it came from, for the report. */
  readonly source: string;
}

export async function resolveTrust(trustDir: string | undefined, dataDir: string): Promise<TrustChoice> {
  const { TrustStore } = await import('@riik/asice/trust/trust-store');
  if (trustDir) {
    if (!existsSync(trustDir))
      throw new CliError('TRUST_CONFIG_INVALID', `no trust directory ${trustDir}`, 2);
    const { loadTrustDirectory } = await import('@riik/asice/trust/trust-directory');
    return { store: loadTrustDirectory(trustDir), source: trustDir };
  }
  const root = join(dataDir, 'ca', 'certs', 'root.pem');
  if (existsSync(root)) {
    const { Certificate } = await import('@riik/pki/x509/certificate');
    return {
      store: TrustStore.fromCertificates(Certificate.allFromPem(readFileSync(root, 'utf8'))),
      source: root,
    };
  }
  return {
    store: new TrustStore([]),
    source: '(none: pass --trust DIR or use the data directory of an e-state)',
  };
}

/**
 * Certificates the local e-state holds that are not trust anchors but complete paths: the
 * issuing CAs (<data>/ca/certs/*.pem) and the TSA's chain (<data>/tsa/certs/*.pem).
 */
export async function localCertificates(dataDir: string): Promise<Certificate[]> {
  const { Certificate } = await import('@riik/pki/x509/certificate');
  const out: Certificate[] = [];
  for (const dir of [join(dataDir, 'ca', 'certs'), join(dataDir, 'tsa', 'certs')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.pem'))
      .sort()) {
      try {
        out.push(...Certificate.allFromPem(readFileSync(join(dir, name), 'utf8')));
      } catch {
        // not a certificate file (keys live elsewhere); nothing to add
      }
    }
  }
  return out;
}
