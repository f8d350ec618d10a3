import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SoftwareKeystore, type Signer } from '@riik/keys';
import { buildName, Certificate, CertificateAuthority, extensions } from '@riik/pki';
import { buildConfigurationAnchorXml } from '@riik/xroad';
import { CentralError } from './errors.js';
import { centralPaths, readCentralConfig, type CentralConfig } from './layout.js';

export interface InitCentralOptions {
  dataDir: string;
  instance?: string;
  baseUrl?: string;
  gconf?: Partial<CentralConfig['gconf']>;
  now?: () => Date;
}

/** The configuration signing key and its (self-signed) certificate. */
export interface ConfSigning {
  signer: Signer;
  certificate: Certificate;
}

/**
 * Create a central server in a data directory: the configuration signing key with a self-signed
 * certificate (PR-GCONF §2.2: the certificate is only a container for the public key), the operator
 * token, the configuration and the anchor security servers are given. Refuses to overwrite.
 */
export async function initCentralServer(options: InitCentralOptions): Promise<CentralConfig> {
  const paths = centralPaths(options.dataDir);
  if (existsSync(paths.config))
    throw new CentralError('ALREADY_INITIALISED', `a central server already exists in ${paths.dir}`);
  const now = options.now ?? (() => new Date());
  const instance = options.instance ?? 'EE-DEV';
  mkdirSync(paths.dir, { recursive: true });
  const keystore = SoftwareKeystore.open(paths.keys);
  const key = keystore.has('conf-signing')
    ? keystore.signer('conf-signing')
    : keystore.generate('conf-signing', 'EC-P256');
  const self = await CertificateAuthority.createRoot(
    {
      subject: buildName({ C: 'EE', O: `riik ${instance}`, CN: `${instance} configuration signing` }),
      extensions: [extensions.keyUsage(['digitalSignature'])],
      validityDays: 20 * 365,
      revocable: false,
    },
    key,
    now,
  );
  writeFileSync(paths.signingCert, self.certificate.toPem());
  writeFileSync(paths.operatorToken, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  const config: CentralConfig = {
    version: 1,
    instance,
    baseUrl: (options.baseUrl ?? 'http://127.0.0.1:8703').replace(/\/$/, ''),
    gconf: {
      intervalSeconds: 60,
      expireSeconds: 600,
      ocspFreshnessSeconds: 3600,
      timeStampingIntervalSeconds: 60,
      ...options.gconf,
    },
    createdAt: now().toISOString(),
  };
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  writeAnchor(options.dataDir, now());
  return config;
}

/** Load the configuration signing key and certificate. */
export function loadConfSigning(dataDir: string): ConfSigning {
  const paths = centralPaths(dataDir);
  return {
    signer: SoftwareKeystore.open(paths.keys).signer('conf-signing'),
    certificate: Certificate.fromPem(readFileSync(paths.signingCert, 'utf8')),
  };
}

/** The download URL of the internal configuration (the anchor's source). */
export function internalConfUrl(config: CentralConfig): string {
  return `${config.baseUrl}/internalconf`;
}

/** (Re)write the configuration anchor file from the configuration and signing certificate. */
export function writeAnchor(dataDir: string, at: Date): string {
  const config = readCentralConfig(dataDir);
  const cert = Certificate.fromPem(readFileSync(centralPaths(dataDir).signingCert, 'utf8'));
  const xml = buildConfigurationAnchorXml({
    generatedAt: new Date(Math.floor(at.getTime() / 1000) * 1000),
    instanceIdentifier: config.instance,
    sources: [{ downloadUrl: internalConfUrl(config), verificationCerts: [cert.der] }],
  });
  writeFileSync(centralPaths(dataDir).anchor, xml);
  return xml;
}
