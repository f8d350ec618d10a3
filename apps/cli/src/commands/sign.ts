import { Command } from 'commander';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { printJson, println } from '../output.js';

export interface SignOptions {
  card: string;
  pin2: string;
  out?: string;
  add?: string;
  role?: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  tsa?: string;
  ocsp?: string;
  trust?: string;
  data?: string;
  json?: boolean;
}

/**
 * riik sign FILE... --card TOKEN --pin2 PIN --out OUT.asice: an ASiC-E container with one
 * XAdES-BASELINE-LT signature made with the eID token's signing key (PIN2), time-stamped by the
 * TSA and with the OCSP response of the CA. `--add OUT.asice` adds a signature to an existing
 * container (its data files stay as they are). TSA and OCSP come from the running e-state unless
 * --tsa / --ocsp name them.
 */
export function signCommand(): Command {
  return new Command('sign')
    .description('sign files with an eID token (PIN2) into an ASiC-E container (XAdES-BASELINE-LT)')
    .argument('[files...]', 'files to sign (a new container), or to add to an unsigned one with --add')
    .requiredOption('--card <token>', 'eID token file')
    .requiredOption('--pin2 <pin>', 'PIN2 of the token')
    .option('--out <file>', 'container to write (with --add: default the container itself)')
    .option('--add <container>', 'add a signature to this container')
    .option('--role <role...>', 'signer role(s) (SignerRoleV2 ClaimedRole)')
    .option('--city <city>', 'signature production place: city')
    .option('--state <state>', 'signature production place: state or province')
    .option('--postal-code <code>', 'signature production place: postal code')
    .option('--country <cc>', 'signature production place: country')
    .option('--tsa <url>', 'RFC 3161 TSA URL (default: the e-state TSA)')
    .option('--ocsp <url>', 'OCSP responder URL (default: the e-state CA, else the certificate AIA)')
    .option('--trust <dir>', 'trust for the TSA and OCSP answers (default: the e-state root)')
    .option(...DATA_OPTION)
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], opts: SignOptions) => {
      const { runSign } = await import('../signatures/sign.js');
      const result = await runSign(files, opts, dataDir(opts.data));
      if (opts.json) printJson(result);
      else {
        println(`${result.container}: signature ${result.signature.id} by ${result.signature.signer}`);
        println(`  time-stamp ${result.signature.timeStampTime}, OCSP ${result.signature.ocspProducedAt}`);
        println(`  ${result.verdict}: ${result.signatures} signature(s) in the container`);
      }
      process.exitCode = result.verdict === 'VALID' ? 0 : 1;
    });
}
