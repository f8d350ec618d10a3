import { Command, CommanderError } from 'commander';
import { CodedError } from '@riik/core';
import { caCommand } from './commands/ca.js';
import { cardCommand } from './commands/card.js';
import { cardReaderCommand } from './commands/card-reader.js';
import { mobileIdCommand, smartIdCommand } from './commands/phone.js';
import { idcodeCommand } from './commands/idcode.js';
import { ksiCommand } from './commands/ksi.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { timestampCommand } from './commands/timestamp.js';
import { tsaCommand } from './commands/tsa.js';
import { upCommand } from './commands/up.js';
import { centralCommand, xroadCommand } from './commands/xroad.js';
import { CliError } from './output.js';

export function program(): Command {
  const root = new Command('riik')
    .description('riik: an open-source digital state (the e-Estonia stack)')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const cmd of [
    upCommand(),
    statusCommand(),
    serveCommand(),
    idcodeCommand(),
    caCommand(),
    cardCommand(),
    cardReaderCommand(),
    smartIdCommand(),
    mobileIdCommand(),
    tsaCommand(),
    timestampCommand(),
    ksiCommand(),
    centralCommand(),
    xroadCommand(),
  ])
    root.addCommand(cmd);
  // Every subcommand reports usage errors through exitOverride too.
  const propagate = (c: Command) => {
    c.exitOverride().showHelpAfterError();
    c.commands.forEach(propagate);
  };
  propagate(root);
  return root;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const json = argv.includes('--json');
    const code: string = err instanceof CodedError ? (err as CodedError).code : 'ERROR';
    const message = err instanceof Error ? err.message : String(err);
    if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    else process.stderr.write(`riik: ${code}: ${message}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
