import { existsSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  Certificate,
  parseTimeStampResp,
  parseTimeStampToken,
  PkiError,
  requestTimeStamp,
  verifyTimeStampToken,
  type ParsedTimeStampToken,
} from '@riik/pki';
import { caPaths } from '@riik/service-ca';
import { tsaPaths } from '@riik/service-tsa';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { estateUrl } from '../estate/urls.js';
import { hashFile, hashOption, readInput } from '../files.js';
import { CliError, printJson, println } from '../output.js';

/** A .tsr holds a TimeStampResp (as openssl ts -reply writes); a bare token is accepted too. */
function readToken(path: string): { der: Uint8Array; token: ParsedTimeStampToken } {
  const bytes = new Uint8Array(readInput(path, 'time-stamp file'));
  try {
    const resp = parseTimeStampResp(bytes);
    if (!resp.token || !resp.tokenDer)
      throw new CliError(
        'NO_TOKEN',
        `${path} holds a ${resp.status} answer without a token: ${resp.failInfo.join(', ')}`,
      );
    return { der: resp.tokenDer, token: resp.token };
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    try {
      return { der: bytes, token: parseTimeStampToken(bytes) };
    } catch {
      throw new CliError('MALFORMED', `${path} is neither a time-stamp response nor a token: ${err.message}`);
    }
  }
}

function readCerts(path: string): Certificate[] {
  return Certificate.allFromPem(readInput(path, 'certificate file').toString('utf8'));
}

export function timestampCommand(): Command {
  const cmd = new Command('timestamp')
    .description('get an RFC 3161 time-stamp for a file from a TSA (verify: check one)')
    .argument('<file>', 'the file to time-stamp')
    .option(...DATA_OPTION)
    .option('--tsa <url>', "TSA URL (default: the local e-state's, http://127.0.0.1:8702/tsa)")
    .option('--out <file>', 'where to write the TimeStampResp (default: <file>.tsr)')
    .option('--hash <alg>', 'sha256, sha384 or sha512', 'sha256')
    .option('--policy <oid>', 'TSA policy to ask for')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        opts: { data?: string; tsa?: string; out?: string; hash: string; policy?: string; json?: boolean },
      ) => {
        const hash = hashOption(opts.hash);
        const url = opts.tsa ?? process.env.RIIK_TSA_URL ?? `${estateUrl(dataDir(opts.data), 'tsa')}/tsa`;
        const hashedMessage = await hashFile(file, hash);
        const got = await requestTimeStamp(url, {
          hash,
          hashedMessage,
          certReq: true,
          ...(opts.policy ? { policy: opts.policy } : {}),
        });
        const out = opts.out ?? `${file}.tsr`;
        // The whole TimeStampResp, which is what openssl ts -verify -in reads.
        writeFileSync(out, got.response);
        const info = got.parsed.tstInfo;
        const result = {
          file,
          out,
          tsa: url,
          genTime: info.genTime.toISOString(),
          serial: info.serialHex,
          policy: info.policy,
        };
        if (opts.json) printJson(result);
        else println(`time-stamped ${file} at ${result.genTime} (serial ${result.serial}) → ${out}`);
      },
    );
  cmd
    .command('verify')
    .description('verify an RFC 3161 time-stamp of a file (exit 0 when valid, 1 when not)')
    .argument('<file>', 'the time-stamped file')
    .argument('<tsr>', 'the TimeStampResp (.tsr) or token')
    .option(...DATA_OPTION)
    .option('--ca-file <pem>', 'trust anchors (default: the root of the local e-state)')
    .option('--untrusted <pem>', 'intermediate and TSA certificates, when the token does not carry them')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, tsr: string, _options: unknown, command: Command) => {
      // The parent command has --data and --json too, and commander gives them to the parent.
      const opts = command.optsWithGlobals<{
        data?: string;
        caFile?: string;
        untrusted?: string;
        json?: boolean;
      }>();
      const dir = dataDir(opts.data);
      const { der, token } = readToken(tsr);
      const hash = token.tstInfo.messageImprint.hash;
      if (!hash)
        throw new CliError(
          'UNSUPPORTED_HASH',
          `imprint hash ${token.tstInfo.messageImprint.algorithm} is not accepted`,
        );
      const anchorsFile =
        opts.caFile ??
        [tsaPaths(dir).root, caPaths(dir).cert('root')].find((f) => existsSync(f)) ??
        tsaPaths(dir).root;
      const extra = opts.untrusted ?? (existsSync(tsaPaths(dir).chain) ? tsaPaths(dir).chain : undefined);
      const others = extra ? readCerts(extra) : [];
      const result = await verifyTimeStampToken(der, {
        hashedMessage: await hashFile(file, hash),
        anchors: readCerts(anchorsFile),
        intermediates: others,
        tsaCertificates: others,
      });
      const summary = {
        valid: result.valid,
        code: result.code,
        message: result.message,
        genTime: token.tstInfo.genTime.toISOString(),
        serial: token.tstInfo.serialHex,
        policy: token.tstInfo.policy,
        tsa: result.signer?.subjectString ?? null,
      };
      if (opts.json) printJson(summary);
      if (!result.valid) {
        if (opts.json) process.exitCode = 1;
        else throw new CliError(result.code, result.message, 1);
        return;
      }
      if (!opts.json) println(`Verification: OK: ${file} existed at ${summary.genTime} (${summary.tsa})`);
    });
  return cmd;
}
