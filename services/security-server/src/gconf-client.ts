import { readFileSync } from 'node:fs';
import type { Logger } from '@riik/http';
import { Certificate } from '@riik/pki';
import {
  checkDirectoryEntry,
  ContentIdentifier,
  GCONF_VERSION,
  GlobalConf,
  GlobalConfError,
  parseConfigurationAnchorXml,
  parsePrivateParametersXml,
  parseSharedParametersXml,
  parseSignedDirectory,
  type ConfigurationAnchor,
  type DirectoryEntry,
} from '@riik/xroad';

const MAX_FILE_BYTES = 32 * 1024 * 1024;

async function download(
  url: string,
  timeoutMs: number,
): Promise<{ contentType: string | null; body: Uint8Array }> {
  let r: Response;
  try {
    r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (cause) {
    throw new GlobalConfError('DOWNLOAD_FAILED', `cannot download ${url}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (!r.ok) {
    await r.body?.cancel();
    throw new GlobalConfError('DOWNLOAD_FAILED', `${url} answered HTTP ${r.status}`);
  }
  const declared = Number(r.headers.get('content-length') ?? 0);
  if (declared > MAX_FILE_BYTES) throw new GlobalConfError('DOWNLOAD_FAILED', `${url} is too large`);
  const body = new Uint8Array(await r.arrayBuffer());
  if (body.byteLength > MAX_FILE_BYTES) throw new GlobalConfError('DOWNLOAD_FAILED', `${url} is too large`);
  return { contentType: r.headers.get('content-type'), body };
}

/**
 * Downloads the global configuration as PR-GCONF §2.6 describes: the signed directory from the
 * anchor's source, verified with the anchor's certificate, then each part the directory lists —
 * downloaded only when its digest changed — verified against the directory. Refreshes on an interval;
 * the last good configuration is kept until its Expire-date, after which `current()` still returns it
 * but `isExpired` is true and the security server refuses to work.
 */
export class GlobalConfClient {
  private conf: GlobalConf | undefined;
  private readonly anchor: ConfigurationAnchor;
  private readonly verificationCerts: Certificate[];
  private files = new Map<string, { digest: string; text: string }>();
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private listeners: Array<(conf: GlobalConf) => void> = [];
  private lastParts = '';

  constructor(
    anchorFile: string,
    private readonly refreshMs: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.anchor = parseConfigurationAnchorXml(readFileSync(anchorFile, 'utf8'));
    this.verificationCerts = this.anchor.sources.flatMap((s) =>
      s.verificationCerts.map((c) => Certificate.fromDer(c)),
    );
  }

  get instance(): string {
    return this.anchor.instanceIdentifier;
  }

  current(): GlobalConf | undefined {
    return this.conf;
  }

  /** Valid (downloaded and not expired) configuration, or undefined. */
  valid(): GlobalConf | undefined {
    return this.conf && !this.conf.isExpired(this.now()) ? this.conf : undefined;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  onChange(listener: (conf: GlobalConf) => void): void {
    this.listeners.push(listener);
  }

  async refresh(): Promise<GlobalConf> {
    let lastErr: unknown;
    for (const source of this.anchor.sources) {
      try {
        const url = new URL(source.downloadUrl);
        if (!url.searchParams.has('version')) url.searchParams.set('version', String(GCONF_VERSION));
        const { contentType, body } = await download(url.toString(), 10_000);
        const dir = await parseSignedDirectory(contentType, body, this.verificationCerts);
        const now = this.now();
        if (dir.expireDate.getTime() <= now.getTime())
          throw new GlobalConfError('EXPIRED', `the configuration from ${source.downloadUrl} has expired`);
        const text = async (id: string): Promise<string | undefined> => {
          const entry = dir.entries.find(
            (e) => e.contentIdentifier === id && e.instance === this.anchor.instanceIdentifier,
          );
          return entry ? this.fetchFile(url, entry) : undefined;
        };
        const shared = await text(ContentIdentifier.sharedParameters);
        if (!shared) throw new GlobalConfError('MALFORMED', 'the directory lists no shared parameters');
        const priv = await text(ContentIdentifier.privateParameters);
        const conf = new GlobalConf(
          parseSharedParametersXml(shared),
          priv ? parsePrivateParametersXml(priv) : undefined,
          dir.expireDate,
          now,
        );
        if (conf.instance !== this.anchor.instanceIdentifier)
          throw new GlobalConfError('MALFORMED', `the configuration is of instance ${conf.instance}`);
        const parts = `${shared}\0${priv ?? ''}`;
        const changed = parts !== this.lastParts;
        this.lastParts = parts;
        this.conf = conf;
        this.lastError = undefined;
        if (changed) for (const l of this.listeners) l(conf);
        return conf;
      } catch (err) {
        lastErr = err;
      }
    }
    this.lastError = lastErr instanceof Error ? lastErr.message : String(lastErr);
    throw lastErr;
  }

  private async fetchFile(base: URL, entry: DirectoryEntry): Promise<string> {
    const key = `${entry.contentIdentifier}|${entry.instance}`;
    const digest = Buffer.from(entry.digest).toString('base64');
    const cached = this.files.get(key);
    if (cached && cached.digest === digest) return cached.text;
    const { body } = await download(new URL(entry.location, base).toString(), 10_000);
    checkDirectoryEntry(entry, body);
    const text = Buffer.from(body).toString('utf8');
    this.files.set(key, { digest, text });
    return text;
  }

  start(): void {
    const tick = () =>
      this.refresh().catch((err: unknown) =>
        this.log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'global configuration refresh failed',
        ),
      );
    this.timer = setInterval(() => void tick(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
