import { Command } from 'commander';
import { PhoneApp, type DeviceKind } from '@riik/authn';
import { EidToken } from '@riik/eid';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { readState } from '../estate/state.js';
import { CliError, println } from '../output.js';
import { askSecret } from '../prompt.js';

const NAMES: Record<DeviceKind, string> = { 'smart-id': 'Smart-ID', 'mobile-id': 'Mobile-ID' };

function appCommand(kind: DeviceKind): Command {
  const cmd = new Command('app')
    .description(
      `the simulated ${NAMES[kind]} ${kind === 'smart-id' ? 'app' : 'SIM'}: shows the verification code and asks PIN1`,
    )
    .requiredOption('--token <file>', `${NAMES[kind]} key store (riik card issue --type ${kind})`)
    .option('--sk <url>', 'SK service URL (default: the running e-state)')
    .option(...DATA_OPTION);
  if (kind === 'mobile-id')
    cmd.requiredOption('--phone <number>', 'phone number of the SIM, e.g. +37200000766');
  cmd.addHelpText(
    'after',
    `\nRegisters with the SK service (PIN1 once, to prove the key is here), then waits. When an e-service\n` +
      `asks you to log in, it shows the 4-digit verification code: check it is the one on the login page,\n` +
      `then type PIN1 (empty refuses).`,
  );
  cmd.action(async (opts: { token: string; sk?: string; phone?: string; data?: string }) => {
    const token = EidToken.open(opts.token);
    if (token.documentType !== kind) {
      throw new CliError(
        'WRONG_TOKEN',
        `${opts.token} holds a ${token.documentType} key, not ${NAMES[kind]}`,
        2,
      );
    }
    const running = readState(dataDir(opts.data))?.services.find((s) => s.kind === 'auth');
    const skUrl = opts.sk ?? (typeof running?.skUrl === 'string' ? running.skUrl : undefined);
    if (!skUrl) throw new CliError('NO_SK', 'no SK service found: pass --sk URL or start riik up', 2);
    if (!process.stdin.isTTY) throw new CliError('NO_TERMINAL', 'the app asks for PIN1 on a terminal', 2);
    const app = new PhoneApp({
      kind,
      token,
      skUrl,
      ...(opts.phone ? { phoneNumber: opts.phone } : {}),
      askPin: async (prompt) => {
        println(`\n${prompt.relyingPartyName}${prompt.displayText ? `: ${prompt.displayText}` : ''}`);
        println(`  Verification code: ${prompt.verificationCode}`);
        if (prompt.triesLeft !== undefined) println(`  Wrong PIN1. Tries left: ${prompt.triesLeft}`);
        return askSecret('  PIN1 (empty to refuse): ');
      },
      onEvent: (event) => {
        if (event.type === 'answered') println(`  ${event.answer}`);
        if (event.type === 'error') println(`  (${event.message}; retrying)`);
      },
    });
    const pin = await askSecret(
      `${NAMES[kind]} for ${token.holder.givenName} ${token.holder.surname}. PIN1 to activate: `,
    );
    if (pin === null) return;
    await app.start(pin);
    println(`${NAMES[kind]} ready at ${skUrl}. Waiting for login requests; Ctrl-C stops it.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await app.stop();
  });
  return cmd;
}

export function smartIdCommand(): Command {
  return new Command('smart-id')
    .description('Smart-ID: the simulated phone app')
    .addCommand(appCommand('smart-id'));
}

export function mobileIdCommand(): Command {
  return new Command('mobile-id')
    .description('Mobile-ID: the simulated SIM')
    .addCommand(appCommand('mobile-id'));
}
