import { Command, CommanderError } from 'commander';
import { CodedError } from '@riik/core/errors';
import { CliError } from './output.js';

/**
 * The commands, each loaded only when it is the one being run (or for the full help): a command
 * module may import services, databases and crypto libraries, and `riik verify` should not wait
 * for the CA's database driver to load.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  up: async () => (await import('./commands/up.js')).upCommand(),
  status: async () => (await import('./commands/status.js')).statusCommand(),
  serve: async () => (await import('./commands/serve.js')).serveCommand(),
  idcode: async () => (await import('./commands/idcode.js')).idcodeCommand(),
  ca: async () => (await import('./commands/ca.js')).caCommand(),
  card: async () => (await import('./commands/card.js')).cardCommand(),
  'card-reader': async () => (await import('./commands/card-reader.js')).cardReaderCommand(),
  'smart-id': async () => (await import('./commands/phone.js')).smartIdCommand(),
  'mobile-id': async () => (await import('./commands/phone.js')).mobileIdCommand(),
  tsa: async () => (await import('./commands/tsa.js')).tsaCommand(),
  timestamp: async () => (await import('./commands/timestamp.js')).timestampCommand(),
  ksi: async () => (await import('./commands/ksi.js')).ksiCommand(),
  sign: async () => (await import('./commands/sign.js')).signCommand(),
  verify: async () => (await import('./commands/verify.js')).verifyCommand(),
  container: async () => (await import('./commands/container.js')).containerCommand(),
  central: async () => (await import('./commands/xroad.js')).centralCommand(),
  xroad: async () => (await import('./commands/xroad.js')).xroadCommand(),
};

/** The command tree; with `argv`, only the command it names (all of them when it names none). */
export async function program(argv: readonly string[] = []): Promise<Command> {
  const root = new Command('riik')
    .description('riik: an open-source digital state (the e-Estonia stack)')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const names = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of names) root.addCommand(await COMMANDS[name]!());
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
    await (await program(argv)).parseAsync(argv);
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
