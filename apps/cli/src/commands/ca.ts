import { Command } from 'commander';
import { caPaths, initCa, readCaConfig } from '@riik/service-ca';
import { existsSync } from 'node:fs';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { CliError, printJson, println } from '../output.js';

export function caCommand(): Command {
  const cmd = new Command('ca').description('the national certification authority (operator commands)');
  cmd
    .command('init')
    .description('create the root CA, the issuing CAs and the OCSP responder in the data directory')
    .option(...DATA_OPTION)
    .option('--instance <name>', 'instance name (X-Road instance of the e-state)', 'EE-DEV')
    .option(
      '--base-url <url>',
      'public URL of the CA service, written into certificates',
      'http://127.0.0.1:8701',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data?: string; instance: string; baseUrl: string; json?: boolean }) => {
      const dir = dataDir(opts.data);
      if (existsSync(caPaths(dir).config))
        throw new CliError('ALREADY_INITIALISED', `a CA already exists in ${dir}`);
      const ca = await initCa({ dataDir: dir, instance: opts.instance, baseUrl: opts.baseUrl });
      const summary = {
        dataDir: dir,
        instance: ca.config.instance,
        baseUrl: ca.config.baseUrl,
        root: ca.root.subjectString,
        issuers: [...ca.issuers.values()].map((i) => ({
          id: i.id,
          subject: i.authority.certificate.subjectString,
        })),
        operatorToken: caPaths(dir).operatorToken,
      };
      if (opts.json) printJson(summary);
      else {
        println(`CA created in ${caPaths(dir).dir}`);
        println(`  root     ${summary.root}`);
        for (const i of summary.issuers) println(`  ${i.id.padEnd(8)} ${i.subject}`);
        println(`  operator token: ${summary.operatorToken}`);
      }
    });
  cmd
    .command('info')
    .description('show the CA configuration of a data directory')
    .option(...DATA_OPTION)
    .option('--json', 'print as JSON')
    .action((opts: { data?: string; json?: boolean }) => {
      const config = readCaConfig(dataDir(opts.data));
      if (opts.json) printJson(config);
      else println(`instance ${config.instance}, base URL ${config.baseUrl}, created ${config.createdAt}`);
    });
  return cmd;
}
