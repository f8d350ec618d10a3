import { existsSync, readFileSync } from 'node:fs';
import { Certificate } from '@riik/pki';
import { caPaths } from '@riik/service-ca';
import { Command } from 'commander';
import { centralPaths, readCentralConfig } from '@riik/service-central-server';
import { registrationRequests, verifyArchive } from '@riik/service-security-server';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { readState } from '../estate/state.js';
import { CliError, printJson, println } from '../output.js';

/** `riik xroad ...`: X-Road tools. */
export function xroadCommand(): Command {
  const cmd = new Command('xroad').description('X-Road tools');
  cmd
    .command('verify-log')
    .description(
      'verify a message log archive offline: the linking-info hash chain, every signature and time-stamp',
    )
    .argument('<archive>', 'an mlog-*.zip archive of a security server')
    .option('--previous <digest>', 'the last linking digest of the archive before this one')
    .option(
      '--trust <pem>',
      'CA certificates (PEM file) the signers and the TSA must chain to (default: the CA of --data)',
    )
    .option(...DATA_OPTION)
    .option('--json', 'print the report as JSON')
    .action(
      async (archive: string, opts: { previous?: string; trust?: string; data?: string; json?: boolean }) => {
        const pems = opts.trust
          ? [readFileSync(opts.trust, 'utf8')]
          : ['root', 'org'].flatMap((id) => {
              const file = caPaths(dataDir(opts.data)).cert(id);
              return existsSync(file) ? [readFileSync(file, 'utf8')] : [];
            });
        const certs = pems.flatMap((p) => Certificate.allFromPem(p));
        if (certs.length === 0)
          throw new CliError(
            'NO_TRUST_ANCHORS',
            'give the CA certificates with --trust, or a --data directory with a CA',
            2,
          );
        const anchors = certs.filter((c) => c.isSelfIssued);
        const report = await verifyArchive(archive, {
          trust: {
            anchors: anchors.length ? anchors : certs,
            intermediates: certs.filter((c) => !c.isSelfIssued),
          },
          ...(opts.previous === undefined ? {} : { previousDigest: opts.previous }),
        });
        if (opts.json) printJson(report);
        else {
          for (const c of report.containers)
            println(
              `${c.ok ? 'ok     ' : 'INVALID'} ${c.name}${c.ok ? `  signed by ${c.signer}, time-stamped ${c.timestamp}` : `  ${c.error}`}`,
            );
          for (const e of report.errors) println(`error: ${e}`);
          println(
            report.ok ? `archive verifies; last digest ${report.lastDigest}` : 'archive does NOT verify',
          );
        }
        if (!report.ok) process.exitCode = 1;
      },
    );
  cmd
    .command('register')
    .description(
      "submit a security server's registration to the central server: its authentication certificate and its clients (the central operator then approves them with riik central approve)",
    )
    .argument('<server>', 'security server name in the data directory (e.g. ss-rr)')
    .option(...DATA_OPTION)
    .option('--central <url>', 'central server URL (default: the running e-state, else central.json)')
    .option('--json', 'print the filed requests as JSON')
    .action(async (server: string, opts: { data?: string; central?: string; json?: boolean }) => {
      const dir = dataDir(opts.data);
      const base =
        opts.central ??
        readState(dir)?.services.find((s) => s.kind === 'central-server')?.url ??
        readCentralConfig(dir).baseUrl;
      const filed: unknown[] = [];
      for (const request of await registrationRequests(dir, server, new Date())) {
        let r: Response;
        try {
          r = await fetch(`${base}/managementservice/v1/requests`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(request),
            signal: AbortSignal.timeout(10_000),
          });
        } catch (cause) {
          throw new CliError('UNREACHABLE', `the central server at ${base} does not answer`, 1, { cause });
        }
        const body = (await r.json().catch(() => ({}))) as Record<string, string | undefined>;
        if (!r.ok) throw new CliError(body.code ?? 'FAILED', body.detail ?? `HTTP ${r.status}`);
        filed.push(body);
        if (!opts.json)
          println(`request ${body.id}: ${body.type} ${body.client ?? body.address ?? ''} (${body.status})`);
      }
      if (opts.json) printJson({ requests: filed });
    });
  return cmd;
}

interface RequestJson {
  id: number;
  type: string;
  status: string;
  server: string;
  client: string | null;
  address: string | null;
  createdAt: string;
}

/** `riik central ...`: the central server operator's commands (through its operator API). */
export function centralCommand(): Command {
  const cmd = new Command('central').description('X-Road central server operator commands');
  const api = async (opts: { data?: string; url?: string }, path: string, init: RequestInit = {}) => {
    const dir = dataDir(opts.data);
    const running = readState(dir)?.services.find((s) => s.kind === 'central-server')?.url;
    const base = opts.url ?? running ?? readCentralConfig(dir).baseUrl;
    const token = readFileSync(centralPaths(dir).operatorToken, 'utf8').trim();
    let r: Response;
    try {
      r = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new CliError('UNREACHABLE', `the central server at ${base} does not answer`, 1, { cause });
    }
    const body = (await r.json().catch(() => ({}))) as Record<string, string | undefined>;
    if (!r.ok) throw new CliError(body.code ?? 'FAILED', body.detail ?? `HTTP ${r.status}`);
    return body;
  };
  const common = (c: Command) =>
    c
      .option(...DATA_OPTION)
      .option('--url <url>', 'central server URL')
      .option('--json', 'print JSON');
  common(cmd.command('requests').description('list registration requests')).action(
    async (opts: { data?: string; url?: string; json?: boolean }) => {
      const { requests } = (await api(opts, '/api/v1/requests')) as unknown as { requests: RequestJson[] };
      if (opts.json) printJson({ requests });
      else
        for (const r of requests)
          println(
            `${String(r.id).padStart(4)}  ${r.status.padEnd(9)} ${r.type.padEnd(13)} ${r.server} ${r.client ?? r.address ?? ''}`,
          );
    },
  );
  for (const action of ['approve', 'reject'] as const)
    common(
      cmd.command(action).description(`${action} a registration request`).argument('<id>', 'request id'),
    ).action(async (id: string, opts: { data?: string; url?: string; json?: boolean }) => {
      const r = (await api(opts, `/api/v1/requests/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        ...(action === 'reject' ? { body: '{}' } : {}),
      })) as unknown as RequestJson;
      if (opts.json) printJson(r);
      else println(`request ${r.id}: ${r.status}`);
    });
  return cmd;
}
