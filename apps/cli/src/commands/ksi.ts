import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  documentHashAlgorithm,
  formatSignature,
  KsiClient,
  KsiError,
  parseSignature,
  signatureCheckpoint,
  verifyKsiSignature,
  type KsiSignature,
} from '@riik/ksi';
import { tsaPaths } from '@riik/service-tsa';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { estateUrl } from '../estate/urls.js';
import { hashFile, hashOption, readInput } from '../files.js';
import { CliError, printJson, println } from '../output.js';

function serviceUrl(opts: { url?: string; data?: string }): string {
  return opts.url ?? process.env.RIIK_TSA_URL?.replace(/\/tsa$/, '') ?? estateUrl(dataDir(opts.data), 'tsa');
}

function readSignature(path: string): KsiSignature {
  try {
    return parseSignature(readInput(path, 'signature file').toString('utf8'));
  } catch (err) {
    if (err instanceof KsiError) throw new CliError(err.code, `${path}: ${err.message}`, 1);
    throw err;
  }
}

/** A vkey given inline, or a file holding one (`@file` or a path). */
function readKey(value: string): string {
  const file = value.startsWith('@') ? value.slice(1) : value;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : value.trim();
}

function describe(sig: KsiSignature) {
  const cp = signatureCheckpoint(sig);
  return {
    time: new Date(sig.roundTime).toISOString(),
    calendarIndex: sig.calendarIndex,
    checkpointSize: cp.treeSize,
    origin: cp.origin,
    publication: sig.publication?.code ?? null,
  };
}

export function ksiCommand(): Command {
  const cmd = new Command('ksi').description(
    'KSI-style hash-tree signatures: sign, verify, extend to a publication',
  );
  cmd
    .command('sign')
    .description('sign a file: its hash is aggregated into the next round and anchored in the calendar')
    .argument('<file>')
    .option(...DATA_OPTION)
    .option('--url <url>', "the time-stamping service (default: the local e-state's, http://127.0.0.1:8702)")
    .option('--out <file>', 'where to write the signature (default: <file>.rsig)')
    .option('--hash <alg>', 'sha256, sha384 or sha512', 'sha256')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        opts: { data?: string; url?: string; out?: string; hash: string; json?: boolean },
      ) => {
        const hash = await hashFile(file, hashOption(opts.hash));
        const signature = await new KsiClient(serviceUrl(opts)).sign(hash);
        const out = opts.out ?? `${file}.rsig`;
        writeFileSync(out, formatSignature(signature));
        const result = { file, out, ...describe(signature) };
        if (opts.json) printJson(result);
        else
          println(`signed ${file}: round of ${result.time}, calendar entry ${result.calendarIndex} → ${out}`);
      },
    );
  cmd
    .command('verify')
    .description(
      'verify a signature offline against the calendar key or a publication code (exit 0 valid, 1 not)',
    )
    .argument('<file>', 'the signed file')
    .argument('<rsig>', 'its signature')
    .option(...DATA_OPTION)
    .option('--publication <code>', 'verify against this publication code (no key needed; extend first)')
    .option('--checkpoint-key <key>', 'the calendar vkey, or @file (default: <data>/tsa/calendar.vkey)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        rsig: string,
        opts: { data?: string; publication?: string; checkpointKey?: string; json?: boolean },
      ) => {
        const signature = readSignature(rsig);
        const algorithm = documentHashAlgorithm(signature.hash) ?? 'SHA-256';
        let checkpointKey: string | undefined;
        if (!opts.publication) {
          const fallback = tsaPaths(dataDir(opts.data)).vkey;
          if (opts.checkpointKey) checkpointKey = readKey(opts.checkpointKey);
          else if (existsSync(fallback)) checkpointKey = readFileSync(fallback, 'utf8').trim();
          else
            throw new CliError(
              'NO_KEY',
              'give --checkpoint-key or --publication (no calendar key in the data directory)',
              2,
            );
        }
        const result = verifyKsiSignature(signature, {
          documentHash: await hashFile(file, algorithm),
          ...(opts.publication ? { publication: opts.publication } : {}),
          ...(checkpointKey ? { checkpointKey } : {}),
        });
        const summary = {
          valid: result.valid,
          code: result.code,
          message: result.message,
          anchor: result.anchor ?? null,
          ...describe(signature),
        };
        if (opts.json) printJson(summary);
        if (!result.valid) {
          if (opts.json) process.exitCode = 1;
          else throw new CliError(result.code, result.message, 1);
          return;
        }
        if (!opts.json) println(`OK: ${file} existed at ${summary.time}; ${result.message}`);
      },
    );
  cmd
    .command('extend')
    .description('extend a signature to a publication (then it verifies from the publication code alone)')
    .argument('<rsig>')
    .option(...DATA_OPTION)
    .option('--url <url>', 'the time-stamping service')
    .option(
      '--publication <code>',
      'extend to this publication (default: the earliest that covers the signature)',
    )
    .option('--out <file>', 'where to write the extended signature (default: overwrite <rsig>)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        rsig: string,
        opts: { data?: string; url?: string; publication?: string; out?: string; json?: boolean },
      ) => {
        const extended = await new KsiClient(serviceUrl(opts)).extend(readSignature(rsig), opts.publication);
        const out = opts.out ?? rsig;
        writeFileSync(out, formatSignature(extended));
        const result = { out, ...describe(extended) };
        if (opts.json) printJson(result);
        else println(`extended to publication ${result.publication} → ${out}`);
      },
    );
  cmd
    .command('publish')
    .description('operator: publish the calendar now (normally done on a timer, daily)')
    .option(...DATA_OPTION)
    .option('--url <url>', 'the time-stamping service')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data?: string; url?: string; json?: boolean }) => {
      const token = readInput(tsaPaths(dataDir(opts.data)).operatorToken, 'operator token')
        .toString('utf8')
        .trim();
      const r = await fetch(`${serviceUrl(opts)}/ksi/v1/publications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).catch((err: unknown) => {
        throw new CliError('TRANSPORT', `time-stamping service unreachable: ${(err as Error).message}`);
      });
      const body = (await r.json()) as { code?: string; size?: number; time?: number; detail?: string };
      if (r.status !== 201)
        throw new CliError(
          r.status === 409 ? 'NOTHING_TO_PUBLISH' : 'REJECTED',
          body.detail ?? `HTTP ${r.status}`,
        );
      if (opts.json) printJson(body);
      else println(`publication ${body.code} (calendar size ${body.size})`);
    });
  return cmd;
}
