import { Command } from 'commander';
import { SERVICES, serviceByName } from '../estate/services.js';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { CliError } from '../output.js';

export function serveCommand(): Command {
  const names = SERVICES.map((s) => `  ${s.name.padEnd(18)} ${s.description}`);
  return new Command('serve')
    .description('run one service of the e-state in the foreground')
    .argument('<service>', 'which service')
    .option(...DATA_OPTION)
    .option('--port <n>', 'TCP port (0 = any free port)', '0')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--db <url>', 'postgres:// URL (default: embedded SQLite in the data directory)')
    .option('--config <file>', 'service-specific JSON configuration')
    .addHelpText('after', `\nServices:\n${names.join('\n')}`)
    .action(
      async (
        name: string,
        opts: { data?: string; port: string; host: string; db?: string; config?: string },
      ) => {
        const service = serviceByName(name);
        if (!service)
          throw new CliError('UNKNOWN_SERVICE', `no service named ${name}; see riik serve --help`, 2);
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliError('BAD_PORT', `invalid port ${opts.port}`, 2);
        const running = await service.start({
          dataDir: dataDir(opts.data),
          port,
          host: opts.host,
          ...(opts.db ? { db: opts.db } : {}),
          ...(opts.config ? { config: opts.config } : {}),
        });
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            running.close().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );
}
