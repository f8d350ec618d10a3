import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SoftwareKeystore, type Signer } from '@riik/keys';
import { noteSignerOf } from '@riik/ksi';
import { Certificate, checkPurpose, spkiOf } from '@riik/pki';
import type { NoteSigner } from '@riik/core';
import { TsaError } from './errors.js';
import { readTsaConfig, tsaPaths, type TsaConfig } from './layout.js';

/** Everything the service signs with, loaded from the data directory. */
export interface TsaIdentity {
  config: TsaConfig;
  tsaSigner: Signer;
  certificate: Certificate;
  /** Issuing CA certificate(s) to include in tokens, and the root for relying parties. */
  chain: Certificate[];
  root?: Certificate;
  calendarSigner: NoteSigner & { vkey: string };
  operatorToken: string;
}

/**
 * Create the service's keys and configuration: a P-384 TSA key and an Ed25519 calendar key in
 * the software keystore, tsa.json, the calendar vkey and an operator token. The TSA certificate
 * comes separately (installTsaCertificate): riik tsa init asks the CA for it. Returns the TSA
 * key's SubjectPublicKeyInfo for that request. Refuses to overwrite.
 */
export function initTsaKeys(
  dataDir: string,
  options: { instance?: string; origin?: string; now?: () => Date } = {},
): { spki: Uint8Array; config: TsaConfig; vkey: string } {
  const paths = tsaPaths(dataDir);
  if (existsSync(paths.config))
    throw new TsaError('ALREADY_INITIALISED', `a TSA already exists in ${paths.dir}`);
  const instance = options.instance ?? 'EE-DEV';
  const config: TsaConfig = {
    version: 1,
    instance,
    origin: options.origin ?? `riik/${instance}/calendar`,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  const keystore = SoftwareKeystore.open(paths.keys);
  const tsaKey = keystore.generate('tsa', 'EC-P384');
  const calendarKey = keystore.generate('calendar', 'Ed25519');
  const vkey = noteSignerOf(config.origin, calendarKey).vkey;
  writeFileSync(paths.vkey, vkey + '\n');
  writeFileSync(paths.operatorToken, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  return { spki: spkiOf(tsaKey.publicKey), config, vkey };
}

/** Store the TSA certificate (checked against the key and RFC 3161's purpose rule) and its chain. */
export function installTsaCertificate(
  dataDir: string,
  certificate: Certificate,
  chain: readonly Certificate[],
  root?: Certificate,
): void {
  const paths = tsaPaths(dataDir);
  const signer = SoftwareKeystore.open(paths.keys).signer('tsa');
  if (!Buffer.from(spkiOf(signer.publicKey)).equals(Buffer.from(certificate.spkiDer)))
    throw new TsaError('NO_CERTIFICATE', 'the certificate is not for the TSA key');
  const purpose = checkPurpose(certificate, 'timestamping');
  if (purpose) throw new TsaError('NO_CERTIFICATE', `not a TSA certificate: ${purpose.message}`);
  mkdirSync(dirname(paths.certificate), { recursive: true });
  writeFileSync(paths.certificate, certificate.toPem());
  writeFileSync(paths.chain, chain.map((c) => c.toPem()).join(''));
  if (root) writeFileSync(paths.root, root.toPem());
}

export function loadTsaIdentity(dataDir: string): TsaIdentity {
  const config = readTsaConfig(dataDir);
  const paths = tsaPaths(dataDir);
  if (!existsSync(paths.certificate))
    throw new TsaError(
      'NO_CERTIFICATE',
      `no TSA certificate in ${paths.dir}; run: riik tsa init --data ${dataDir}`,
    );
  const keystore = SoftwareKeystore.open(paths.keys);
  const chainText = existsSync(paths.chain) ? readFileSync(paths.chain, 'utf8') : '';
  return {
    config,
    tsaSigner: keystore.signer('tsa'),
    certificate: Certificate.fromPem(readFileSync(paths.certificate, 'utf8')),
    chain: chainText.includes('BEGIN CERTIFICATE') ? Certificate.allFromPem(chainText) : [],
    ...(existsSync(paths.root) ? { root: Certificate.fromPem(readFileSync(paths.root, 'utf8')) } : {}),
    calendarSigner: noteSignerOf(config.origin, keystore.signer('calendar')),
    operatorToken: readFileSync(paths.operatorToken, 'utf8').trim(),
  };
}
