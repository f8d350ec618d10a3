import { Command } from 'commander';
import { isHealthy } from '../estate/health.js';
import { isAlive, readState } from '../estate/state.js';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { printJson, println } from '../output.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('list the services of the running local e-state and whether each is healthy')
    .option(...DATA_OPTION)
    .option('--json', 'print {"services":[{name, kind, url, healthy, ...}]}')
    .action(async (opts: { data?: string; json?: boolean }) => {
      const state = readState(dataDir(opts.data));
      const running = state && isAlive(state.supervisorPid) ? state : undefined;
      const services = await Promise.all(
        (running?.services ?? []).map(async ({ pid: _pid, log: _log, ...s }) => ({
          ...s,
          healthy: await isHealthy(s.url),
        })),
      );
      if (opts.json) printJson({ running: Boolean(running), services });
      else if (!running)
        println('riik: no e-state is running from this data directory (start one with: riik up)');
      else
        for (const s of services)
          println(`${s.healthy ? 'ok  ' : 'DOWN'}  ${s.name.padEnd(14)} ${s.kind.padEnd(16)} ${s.url}`);
      if (!running || services.some((s) => !s.healthy)) process.exitCode = 1;
    });
}
