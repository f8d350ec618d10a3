import { Command } from 'commander';
import { CardReader } from '@riik/authn';
import { EidToken } from '@riik/eid';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { readState } from '../estate/state.js';
import { CliError, printJson, println } from '../output.js';
import { askSecret } from '../prompt.js';

/**
 * `riik card-reader`: the person's side of an ID-card login, as the Web eID browser extension and
 * native app are. Listens on loopback for the login page, asks PIN1 in the terminal (or on its
 * PIN page) and signs the challenge with the card's authentication key.
 */
export function cardReaderCommand(): Command {
  return new Command('card-reader')
    .description('the card reader app: lets the login page use your eID token (asks PIN1)')
    .requiredOption('--token <file>', 'eID token file (ID-card, digi-ID or e-resident digi-ID)')
    .option('--port <n>', 'port to listen on (default: the one the running e-state expects, else 8709)')
    .option('--origin <url...>', 'login page origins allowed to ask (default: the running login service)')
    .option('--no-terminal', 'do not ask for the PIN in the terminal (use the PIN page)')
    .option(...DATA_OPTION)
    .option('--json', 'print the reader URLs as JSON when started')
    .addHelpText(
      'after',
      '\nThe login page at the login service talks to this app over http://127.0.0.1. When it asks, type PIN1\n' +
        'here, or open the PIN page printed at start. Only the listed origins may ask; each request signs\n' +
        "the browser's origin and the page's challenge, as Web eID does.",
    )
    .action(
      async (opts: {
        token: string;
        port?: string;
        origin?: string[];
        terminal: boolean;
        data?: string;
        json?: boolean;
      }) => {
        const token = EidToken.open(opts.token);
        token.certificate('auth');
        const auth = readState(dataDir(opts.data))?.services.find((s) => s.kind === 'auth');
        const issuer = typeof auth?.issuer === 'string' ? auth.issuer : undefined;
        const origins = opts.origin ?? (issuer ? [new URL(issuer).origin] : []);
        if (origins.length === 0) {
          throw new CliError(
            'NO_LOGIN_SERVICE',
            'no running login service found: pass --origin URL or start riik up',
            2,
          );
        }
        const expected =
          typeof auth?.cardReaderUrl === 'string' ? Number(new URL(auth.cardReaderUrl).port) : 8709;
        const port = opts.port ? Number(opts.port) : expected;
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new CliError('BAD_PORT', 'bad port', 2);
        let asking = false;
        const reader: CardReader = new CardReader({
          token,
          allowedOrigins: origins,
          onRequest: (request) => {
            println(`\n${request.origin} asks to log in as ${request.holder}.`);
            if (request.triesLeft !== undefined) println(`PIN1 tries left: ${request.triesLeft}`);
            if (!opts.terminal || !process.stdin.isTTY || asking) return;
            asking = true;
            void askSecret('PIN1 (empty to cancel): ').then((pin) => {
              asking = false;
              reader.answer(request.id, pin);
            });
          },
          onDone: (_request, result) => {
            if (result.ok) println('Signed: returning to the login page.');
            else
              println(
                `Not signed: ${result.error}${result.triesLeft !== undefined ? ` (tries left: ${result.triesLeft})` : ''}`,
              );
          },
        });
        const url = await reader.listen(port);
        if (opts.json) printJson({ url, pinPage: reader.pinPageUrl, origins });
        else {
          const h = token.holder;
          println(`riik card reader: ${h.givenName} ${h.surname} (${h.idCode}), ${token.documentType}`);
          println(`  listening on ${url} for ${origins.join(', ')}`);
          println(`  PIN page: ${reader.pinPageUrl}`);
          println('  Ctrl-C stops it.');
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await reader.close();
      },
    );
}
