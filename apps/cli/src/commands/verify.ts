import { Command } from 'commander';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { printJson } from '../output.js';

/**
 * riik verify FILE: validate a container as DigiDoc does. Exit code 0 valid (warnings allowed),
 * 1 invalid, 2 indeterminate, 3 cannot be opened, 4 unsupported format. Everything heavy is
 * imported when the command runs, so `riik verify` starts fast.
 */
export function verifyCommand(): Command {
  return new Command('verify')
    .description('validate an ASiC-E / ASiC-S container (.asice, .bdoc, .asics) as DigiDoc does')
    .argument('<file>', 'the container')
    .option('--trust <dir>', 'trust: PEM certificates and trusted lists (*.xml); default the e-state root')
    .option(...DATA_OPTION)
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { trust?: string; data?: string; json?: boolean }) => {
      // the validation modules only, not all of @riik/asice (signing, writing): fewer modules to load
      const [
        { validateContainer },
        { PkiValidator },
        { resolveTrust },
        { EXIT_CODES, renderReport, reportJson },
      ] = await Promise.all([
        import('@riik/asice/validation/validate'),
        import('@riik/asice/pki/validator'),
        import('../signatures/trust.js'),
        import('../signatures/report.js'),
      ]);
      const trust = await resolveTrust(opts.trust, dataDir(opts.data));
      const result = await validateContainer({ path: file }, { pki: new PkiValidator(trust.store) });
      if (opts.json) printJson(reportJson(file, result, trust.source));
      else process.stdout.write(renderReport(file, result, trust.source));
      process.exitCode = EXIT_CODES[result.verdict];
    });
}
