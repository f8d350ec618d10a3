import { Command } from 'commander';
import { readTsaConfig, tsaPaths } from '@riik/service-tsa';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { provisionTsa } from '../estate/tsa.js';
import { printJson, println } from '../output.js';

export function tsaCommand(): Command {
  const cmd = new Command('tsa').description('the time-stamping service (operator commands)');
  cmd
    .command('init')
    .description(
      'create the TSA and calendar keys and get a TSA certificate from the CA in the data directory',
    )
    .option(...DATA_OPTION)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      const dir = dataDir(opts.data);
      const { certificate, vkey, origin } = await provisionTsa(dir);
      const summary = {
        dataDir: dir,
        certificate: certificate.subjectString,
        issuer: certificate.issuerString,
        serial: certificate.serialHex,
        notAfter: certificate.notAfter.toISOString(),
        calendarOrigin: origin,
        calendarKey: vkey,
        files: tsaPaths(dir),
      };
      if (opts.json) printJson(summary);
      else {
        println(`time-stamping service created in ${tsaPaths(dir).dir}`);
        println(`  TSA certificate  ${summary.certificate} (serial ${summary.serial}), by ${summary.issuer}`);
        println(`  calendar         ${origin}`);
        println(`  checkpoint key   ${vkey}`);
      }
    });
  cmd
    .command('info')
    .description('show the time-stamping service configuration of a data directory')
    .option(...DATA_OPTION)
    .option('--json', 'print as JSON')
    .action((opts: { data?: string; json?: boolean }) => {
      const dir = dataDir(opts.data);
      const config = readTsaConfig(dir);
      if (opts.json) printJson(config);
      else println(`instance ${config.instance}, calendar ${config.origin}, created ${config.createdAt}`);
    });
  return cmd;
}
