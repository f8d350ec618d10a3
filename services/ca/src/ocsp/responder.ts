import {
  buildOcspResponse,
  issuerHashes,
  issuerKey,
  ocspErrorResponse,
  parseOcspRequest,
  PkiError,
  type CertIdHash,
  type CertStatusValue,
  type ParsedCertId,
  type ParsedOcspRequest,
} from '@riik/pki';
import type { CertificateStore, StatusRecord } from '../db/store.js';
import type { CaHierarchy, Issuer } from '../hierarchy.js';

export interface OcspResponderOptions {
  now?: () => Date;
  /** thisUpdate → nextUpdate of every response (default 1 h). */
  validityMs?: number;
  /** A cached response older than this is re-signed before it is served again (default 15 min). */
  refreshAfterMs?: number;
  /** Most cached responses kept (default 200,000 ≈ 200 MB worst case at ~1 KB each). */
  maxCached?: number;
}

interface CacheEntry {
  der: Uint8Array;
  thisUpdate: number;
  /** Served since the last background refresh: worth keeping warm. */
  hot: boolean;
  /** What it answers, so the refresh can re-sign it. */
  issuer: Issuer;
  certId: ParsedCertId;
}

const HASHES: CertIdHash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/**
 * The OCSP responder (RFC 6960). Nonce-less single-certificate requests — what browsers and
 * most relying parties send — are answered from pre-signed responses, kept warm by a background
 * refresh while they are being asked for and dropped when they are not; a status change drops
 * them at once. Requests with a nonce get a freshly signed response (one P-384 signature each).
 */
export class OcspResponder {
  private readonly now: () => Date;
  private readonly validityMs: number;
  private readonly refreshAfterMs: number;
  private readonly maxCached: number;
  private readonly issuerByKey = new Map<string, Issuer>();
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<Uint8Array>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    hierarchy: CaHierarchy,
    private readonly store: CertificateStore,
    options: OcspResponderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.validityMs = options.validityMs ?? 3600_000;
    this.refreshAfterMs = options.refreshAfterMs ?? 15 * 60_000;
    this.maxCached = options.maxCached ?? 200_000;
    for (const issuer of hierarchy.issuers.values()) {
      for (const hash of HASHES) {
        const h = issuerHashes(issuer.authority.certificate, hash);
        this.issuerByKey.set(issuerKey(hash, h.nameHash, h.keyHash), issuer);
      }
    }
  }

  /** Answer a DER OCSPRequest with a DER OCSPResponse; never throws for bad input. */
  async respond(requestDer: Uint8Array): Promise<Uint8Array> {
    let request: ParsedOcspRequest;
    try {
      request = parseOcspRequest(requestDer);
    } catch (err) {
      if (err instanceof PkiError) return ocspErrorResponse('malformedRequest');
      throw err;
    }
    const issuer = this.issuerByKey.get(request.certIds[0]!.issuerKey);
    // One response carries one responder signature, so every CertID must name the same issuer.
    if (!issuer || request.certIds.some((c) => this.issuerByKey.get(c.issuerKey) !== issuer)) {
      return ocspErrorResponse('unauthorized');
    }
    if (request.certIds.length === 1 && !request.nonceExtnValue)
      return this.cached(issuer, request.certIds[0]!);
    return this.sign(issuer, request.certIds, request.nonceExtnValue);
  }

  private cacheKey(issuer: Issuer, certId: ParsedCertId): string {
    return `${issuer.id}:${certId.hash}:${certId.serialHex}`;
  }

  private async cached(issuer: Issuer, certId: ParsedCertId): Promise<Uint8Array> {
    const key = this.cacheKey(issuer, certId);
    const entry = this.cache.get(key);
    if (entry && this.now().getTime() - entry.thisUpdate < this.refreshAfterMs) {
      entry.hot = true;
      return entry.der;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fill(key, issuer, certId).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fill(key: string, issuer: Issuer, certId: ParsedCertId): Promise<Uint8Array> {
    const thisUpdate = this.now().getTime();
    const der = await this.sign(issuer, [certId]);
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { der, thisUpdate, hot: false, issuer, certId });
    return der;
  }

  private async sign(
    issuer: Issuer,
    certIds: ParsedCertId[],
    nonceExtnValue?: Uint8Array,
  ): Promise<Uint8Array> {
    const now = this.now();
    const statuses = await Promise.all(certIds.map((c) => this.store.status(c.serialHex)));
    return buildOcspResponse({
      responderCertificate: issuer.responder.certificate,
      signer: issuer.responder.signer,
      producedAt: now,
      responses: certIds.map((certId, i) => ({
        certId: certId.raw,
        status: statusValue(statuses[i], issuer),
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + this.validityMs),
      })),
      ...(nonceExtnValue ? { nonceExtnValue } : {}),
    });
  }

  /** Drop cached answers for a certificate whose status changed. */
  invalidate(issuerId: string, serialHex: string): void {
    for (const hash of HASHES) this.cache.delete(`${issuerId}:${hash}:${serialHex}`);
  }

  /**
   * Every `refreshAfterMs / 3`: re-sign the cached answers that were asked for since the last
   * pass and are due, drop the rest that are due. Demand bounds the work: a response nobody asks
   * for is never re-signed.
   */
  startRefresh(): void {
    const tick = async () => {
      const due = this.now().getTime() - this.refreshAfterMs * 0.66;
      for (const [key, entry] of this.cache) {
        if (entry.thisUpdate > due) continue;
        if (!entry.hot) {
          this.cache.delete(key);
          continue;
        }
        await this.fill(key, entry.issuer, entry.certId).catch(() => this.cache.delete(key));
      }
    };
    this.timer = setInterval(() => void tick(), Math.max(1000, this.refreshAfterMs / 3));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get cachedCount(): number {
    return this.cache.size;
  }
}

function statusValue(record: StatusRecord | undefined, issuer: Issuer): CertStatusValue {
  if (!record || record.issuer !== issuer.id) return { status: 'unknown' };
  if (record.state === 'good') return { status: 'good' };
  return {
    status: 'revoked',
    revokedAt: new Date(record.revokedAt!),
    reason: record.state === 'hold' ? 'certificateHold' : (record.reason ?? 'unspecified'),
  };
}
