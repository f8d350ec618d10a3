import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { COMPONENTS, type EstateContext } from '../estate/registry.js';
import { waitHealthy } from '../estate/health.js';
import { clearState, isAlive, readState, writeState, type EstateState } from '../estate/state.js';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { CliError, printJson, println } from '../output.js';

const RIIK_BIN = fileURLToPath(new URL('../../bin/riik.js', import.meta.url));

interface Child {
  name: string;
  process: ChildProcess;
  log: string;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * `riik up`: prepare every component (keys, certificates, configs on first start), start each
 * service as a child process on loopback, wait until each answers /healthz, print the URLs, and
 * stop them all on Ctrl-C. A service that dies takes the e-state down with it, loudly.
 */
export function upCommand(): Command {
  return new Command('up')
    .description('start the whole local e-state and keep it running until Ctrl-C')
    .option(...DATA_OPTION)
    .option('--port-base <n>', 'services listen on port-base + 1, + 2, ...', '8700')
    .option('--json', 'print the started services as JSON (then keep running)')
    .action(async (opts: { data?: string; portBase: string; json?: boolean }) => {
      const ctx: EstateContext = {
        dataDir: dataDir(opts.data),
        portBase: Number(opts.portBase),
        host: '127.0.0.1',
      };
      if (!Number.isInteger(ctx.portBase) || ctx.portBase < 1024 || ctx.portBase > 65000) {
        throw new CliError('BAD_PORT', 'port base must be 1024-65000', 2);
      }
      const previous = readState(ctx.dataDir);
      if (previous && isAlive(previous.supervisorPid)) {
        throw new CliError(
          'ALREADY_RUNNING',
          `an e-state is already running from ${ctx.dataDir} (pid ${previous.supervisorPid})`,
        );
      }
      mkdirSync(join(ctx.dataDir, 'logs'), { recursive: true });
      if (!opts.json) println(`riik: preparing the e-state in ${ctx.dataDir}`);
      for (const component of COMPONENTS) await component.prepare?.(ctx);

      const children: Child[] = [];
      let stopping = false;
      const stopAll = async (code: number) => {
        if (stopping) return;
        stopping = true;
        for (const c of [...children].reverse()) c.process.kill('SIGTERM');
        await Promise.all(
          children.map((c) =>
            c.process.exitCode !== null ? Promise.resolve() : new Promise((r) => c.process.once('exit', r)),
          ),
        );
        clearState(ctx.dataDir);
        process.exit(code);
      };
      process.on('SIGINT', () => void stopAll(0));
      process.on('SIGTERM', () => void stopAll(0));

      const state: EstateState = {
        supervisorPid: process.pid,
        startedAt: new Date().toISOString(),
        dataDir: ctx.dataDir,
        services: [],
      };
      for (const proc of COMPONENTS.flatMap((c) => c.processes(ctx))) {
        const log = join(ctx.dataDir, 'logs', `${proc.name}.log`);
        const fd = openSync(log, 'a');
        const child = spawn(
          process.execPath,
          [
            RIIK_BIN,
            'serve',
            proc.service,
            '--data',
            ctx.dataDir,
            '--port',
            String(proc.port),
            '--host',
            ctx.host,
            ...(proc.args ?? []),
          ],
          { stdio: ['ignore', fd, fd] },
        );
        children.push({ name: proc.name, process: child, log });
        child.on('exit', (code, signal) => {
          if (stopping) return;
          process.stderr.write(
            `riik: ${proc.name} exited (${signal ?? code}); stopping the e-state. Last log lines:\n${tail(log)}\n`,
          );
          void stopAll(1);
        });
        const url = `http://${ctx.host}:${proc.port}`;
        if (!(await waitHealthy(url, 60_000, () => child.exitCode === null))) {
          process.stderr.write(
            `riik: ${proc.name} did not become healthy at ${url}. Last log lines:\n${tail(log)}\n`,
          );
          await stopAll(1);
          return;
        }
        state.services.push({ name: proc.name, kind: proc.kind, url, pid: child.pid!, log, ...proc.status });
        writeState(ctx.dataDir, state);
        if (!opts.json) println(`  ${proc.name.padEnd(14)} ${url}`);
      }
      if (opts.json) printJson(state);
      else {
        for (const line of COMPONENTS.flatMap((c) => c.notes?.(ctx) ?? [])) println(line);
        println(
          `riik: the e-state is up (${state.services.length} services). Ctrl-C stops it; riik status --json lists it.`,
        );
      }
      await new Promise(() => undefined); // run until a signal
    });
}
