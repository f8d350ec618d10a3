import { Command, Option } from 'commander';
import { checkIdCode, generateIdCodes, IdCodeError, type Sex } from '@riik/core';
import { CliError, printJson, println } from '../output.js';

export function idcodeCommand(): Command {
  const cmd = new Command('idcode').description('Estonian personal identification codes (isikukood)');

  cmd
    .command('validate')
    .description('check a code: exit 0 when valid, 1 with the reason when not')
    .argument('<code>', 'the 11-digit code')
    .option('--json', 'print the result as JSON')
    .action((code: string, opts: { json?: boolean }) => {
      const result = checkIdCode(code);
      if (opts.json)
        printJson(
          result.valid
            ? { valid: true, ...result.idCode }
            : { valid: false, fault: result.fault, reason: result.reason },
        );
      else if (result.valid)
        println(
          `${code}: valid (${result.idCode.sex}, born ${result.idCode.birthDate}, serial ${result.idCode.serial})`,
        );
      else println(`${code}: invalid: ${result.reason} [${result.fault}]`);
      if (!result.valid) process.exitCode = 1;
    });

  cmd
    .command('generate')
    .description('generate valid codes for a birth date and sex')
    .requiredOption('--born <date>', 'birth date, YYYY-MM-DD')
    .addOption(new Option('--sex <sex>', 'sex').choices(['female', 'male']).makeOptionMandatory())
    .option('--count <n>', 'how many distinct codes (1-1000)', '1')
    .option('--json', 'print a JSON array')
    .action((opts: { born: string; sex: Sex; count: string; json?: boolean }) => {
      const count = Number(opts.count);
      let codes: string[];
      try {
        codes = generateIdCodes({ born: opts.born, sex: opts.sex }, count);
      } catch (err) {
        if (err instanceof IdCodeError) throw new CliError(err.code, err.message, 2);
        throw err;
      }
      if (opts.json) printJson(codes);
      else for (const c of codes) println(c);
    });
  return cmd;
}
