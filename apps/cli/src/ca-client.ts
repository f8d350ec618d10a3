import { existsSync, readFileSync } from 'node:fs';
import { caPaths, readCaConfig } from '@riik/service-ca';
import { readState } from './estate/state.js';
import { CliError } from './output.js';

export interface IssuedCertificate {
  serial: string;
  certificate: string;
  subject: string;
  notAfter: string;
}

/**
 * The CA operator API as the CLI uses it. The URL comes from --ca, else the running e-state,
 * else the CA's configured base URL; the bearer token from $RIIK_CA_TOKEN or the data directory.
 */
export class CaClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static fromDataDir(dataDir: string, url?: string): CaClient {
    const running = readState(dataDir)?.services.find((s) => s.kind === 'ca')?.url;
    const base =
      url ?? running ?? (existsSync(caPaths(dataDir).config) ? readCaConfig(dataDir).baseUrl : undefined);
    if (!base)
      throw new CliError(
        'NO_CA',
        `no CA found: pass --ca URL or run riik up / riik ca init with --data ${dataDir}`,
      );
    const tokenFile = caPaths(dataDir).operatorToken;
    const token =
      process.env.RIIK_CA_TOKEN ??
      (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
    if (!token)
      throw new CliError(
        'NO_CA_TOKEN',
        `no operator token: set RIIK_CA_TOKEN or use the CA's data directory`,
      );
    return new CaClient(base.replace(/\/$/, ''), token);
  }

  private async call<T>(path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new CliError('CA_UNREACHABLE', `cannot reach the CA at ${this.url} (is it running? riik up)`, 1, {
        cause: err,
      });
    }
    const json = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
    if (!response.ok)
      throw new CliError(json.code ?? 'CA_ERROR', json.detail ?? `CA answered HTTP ${response.status}`);
    return json as T;
  }

  issue(profile: string, csrPem: string, subject: object): Promise<IssuedCertificate> {
    return this.call('/api/v1/certificates', { profile, csr: csrPem, subject });
  }

  changeStatus(
    serial: string,
    action: 'suspend' | 'resume' | 'revoke',
    reason?: string,
  ): Promise<{ status: string }> {
    return this.call(
      `/api/v1/certificates/${serial}/${action}`,
      action === 'revoke' ? { reason: reason ?? 'unspecified' } : {},
    );
  }
}
