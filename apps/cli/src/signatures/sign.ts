/**
 * What `riik sign` does, loaded only when it runs: find the TSA, the OCSP responder, the trust
 * and the signer's issuer; have the eID token sign (PIN2); extend to LT; write the container
 * atomically (a temporary file renamed over the target); validate what was written.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ExtendedSignature } from '@riik/asice';
import type { Certificate } from '@riik/pki';
import type { SignOptions } from '../commands/sign.js';
import { readState } from '../estate/state.js';
import { CliError } from '../output.js';
import { mediaTypeOf } from './media-types.js';
import { localCertificates, resolveTrust } from './trust.js';

export interface SignResult {
  container: string;
  signature: { id: string; signer: string; timeStampTime: string; ocspProducedAt: string };
  verdict: string;
  signatures: number;
}

export async function runSign(files: string[], opts: SignOptions, data: string): Promise<SignResult> {
  const [asice, pki, { EidError, EidToken }] = await Promise.all([
    import('@riik/asice'),
    import('@riik/pki'),
    import('@riik/eid'),
  ]);
  if (!opts.add && files.length === 0)
    throw new CliError('NOTHING_TO_SIGN', 'name the files to sign (or --add CONTAINER to sign one)', 2);
  if (!opts.add && !opts.out) throw new CliError('NO_OUTPUT', '--out OUT.asice is required', 2);
  for (const f of [...files, ...(opts.add ? [opts.add] : [])]) {
    if (!existsSync(f) || !statSync(f).isFile())
      throw new CliError('FILE_NOT_FOUND', `${f} is not a file`, 2);
  }
  const out = resolve(opts.out ?? opts.add!);

  const token = EidToken.open(opts.card);
  const certificate = token.certificate('sign');
  const trust = await resolveTrust(opts.trust, data);
  if (trust.store.isEmpty)
    throw new CliError('NO_TRUST', `no trust to check the TSA and OCSP answers with: ${trust.source}`, 2);
  const state = readState(data);
  const service = (kind: string) => state?.services.find((s) => s.kind === kind)?.url.replace(/\/$/, '');
  const tsaUrl = opts.tsa ?? (service('tsa') ? `${service('tsa')}/tsa` : undefined);
  if (!tsaUrl) throw new CliError('NO_TSA', 'no TSA: pass --tsa URL or run the e-state (riik up)', 2);
  const ocspUrl = opts.ocsp ?? (service('ca') ? `${service('ca')}/ocsp` : certificate.ocspUrls[0]);
  if (!ocspUrl) throw new CliError('NO_OCSP', 'no OCSP responder: pass --ocsp URL or run the e-state', 2);

  const certificates = await localCertificates(data);
  const known = [...certificates, ...trust.store.certificates];
  if (!known.some((c) => Buffer.from(c.subjectDer).equals(Buffer.from(certificate.issuerDer)))) {
    const issuer = await issuerFromAia(certificate, pki.Certificate);
    if (issuer) certificates.push(issuer);
  }

  const place = {
    ...(opts.city ? { city: opts.city } : {}),
    ...(opts.state ? { stateOrProvince: opts.state } : {}),
    ...(opts.postalCode ? { postalCode: opts.postalCode } : {}),
    ...(opts.country ? { countryName: opts.country } : {}),
  };
  // PIN2 first, as the card's VERIFY PIN opens a session: a wrong PIN fails before a large file
  // is read, and the key derivation's memory is spent before the data streams.
  let key: Awaited<ReturnType<typeof token.unlock>>;
  try {
    key = await token.unlock('sign', opts.pin2);
  } catch (err) {
    if (err instanceof EidError) throw new CliError(err.code, err.message, 1, { cause: err });
    throw err;
  }
  const common = {
    signingCertificate: certificate,
    signDigest: (digest: Uint8Array) => Promise.resolve(key.signDigest(digest)),
    lt: {
      timeStamp: asice.httpTimeStampSource(tsaUrl),
      ocsp: asice.httpOcspSource(ocspUrl),
      trust: trust.store,
      certificates,
    },
    ...(Object.keys(place).length > 0 ? { productionPlace: place } : {}),
    ...(opts.role?.length ? { signerRoles: opts.role } : {}),
  };

  const inputs = files.map((f) => ({ name: basename(f), mediaType: mediaTypeOf(f), content: { path: f } }));
  const names = new Set(inputs.map((f) => f.name));
  if (names.size !== inputs.length) throw new CliError('DUPLICATE_NAME', 'two files have the same name', 2);

  const tmp = `${out}.${process.pid}.tmp`;
  const grown = `${out}.${process.pid}.files.tmp`;
  const mtime = new Date();
  let signature: ExtendedSignature | undefined;
  try {
    if (opts.add) {
      let source = resolve(opts.add);
      if (inputs.length > 0) {
        // refused with CONTAINER_SIGNED when the container is signed
        await asice.addDataFiles({ path: source }, grown, inputs, { mtime });
        source = grown;
      }
      const container = await asice.openContainer({ path: source });
      try {
        if (container.format !== 'ASiC-E')
          throw new CliError('NOT_ASICE', `${opts.add} is not an ASiC-E container`, 2);
        signature = await asice.createSignature({
          ...common,
          dataFiles: container.dataFiles.map((f) => ({
            name: f.name,
            mediaType: f.mediaType ?? mediaTypeOf(f.name),
            content: { open: () => container.zip.openStream(f.entry) },
          })),
        });
      } finally {
        container.close();
      }
      await asice.addSignature({ path: source }, tmp, signature.file, { mtime });
    } else {
      // one pass over the data: digested on its way into the container, signed before it closes
      await asice.writeSignedContainer(tmp, {
        dataFiles: inputs,
        mtime,
        sign: async (digests) => {
          signature = await asice.signDigests({ ...common, dataFiles: digests });
          return [signature.file];
        },
      });
    }
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(grown, { force: true });
  }

  // Everything validation checks was checked while signing (the value against the certificate,
  // the time-stamp and its TSA, the OCSP response, the signer's path); the data files were
  // digested on their way into the container. Re-reading a large container would double the time.
  const written = await asice.openContainer({ path: out });
  const count = written.signatures.length;
  const id = written.signatures[count - 1]?.xml.id ?? '';
  written.close();
  if (!signature) throw new CliError('NOT_SIGNED', 'no signature was made', 1);
  return {
    container: out,
    signature: {
      id,
      signer: certificate.subjectString,
      timeStampTime: signature.timeStampTime.toISOString(),
      ocspProducedAt: signature.ocspProducedAt.toISOString(),
    },
    verdict: 'VALID',
    signatures: count,
  };
}

/** The issuing CA certificate from the certificate's AIA caIssuers URL (as libdigidocpp does). */
async function issuerFromAia(
  cert: Certificate,
  CertificateClass: typeof Certificate,
): Promise<Certificate | undefined> {
  const url = cert.caIssuersUrls[0];
  if (!url) return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    return CertificateClass.from(new Uint8Array(await response.arrayBuffer()));
  } catch {
    return undefined;
  }
}
