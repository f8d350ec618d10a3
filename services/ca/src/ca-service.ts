import type { Logger } from '@riik/http';
import type { Certificate, RevocationReason } from '@riik/pki';
import { CrlPublisher, type CrlPublisherOptions } from './crl.js';
import { CertificateStore, type CertificateRecord } from './db/store.js';
import type { CaHierarchy } from './hierarchy.js';
import { prepareIssue, type IssueRequest } from './issuance.js';
import { caPaths } from './layout.js';
import { OcspResponder, type OcspResponderOptions } from './ocsp/responder.js';

export interface CaServiceOptions {
  /** postgres:// URL; default the SQLite file in the data directory. */
  databaseUrl?: string;
  databaseSchema?: string;
  now?: () => Date;
  ocsp?: OcspResponderOptions;
  crl?: CrlPublisherOptions;
}

/**
 * The CA as a running service: issuance, status changes, and the two ways relying parties learn
 * about them (OCSP and CRLs), kept consistent: every status change drops cached OCSP answers and
 * re-issues the issuer's CRL before it returns.
 */
export class CaService {
  private constructor(
    readonly hierarchy: CaHierarchy,
    readonly store: CertificateStore,
    readonly ocsp: OcspResponder,
    readonly crls: CrlPublisher,
    private readonly now: () => Date,
  ) {}

  static async open(
    dataDir: string,
    hierarchy: CaHierarchy,
    log: Logger,
    options: CaServiceOptions = {},
  ): Promise<CaService> {
    const now = options.now ?? (() => new Date());
    const store = await CertificateStore.open(
      options.databaseUrl ?? caPaths(dataDir).database,
      options.databaseSchema,
    );
    const ocsp = new OcspResponder(hierarchy, store, { now, ...options.ocsp });
    const crls = new CrlPublisher(hierarchy, store, log, { now, ...options.crl });
    return new CaService(hierarchy, store, ocsp, crls, now);
  }

  async start(): Promise<void> {
    await this.crls.start();
    this.ocsp.startRefresh();
  }

  async close(): Promise<void> {
    this.ocsp.stop();
    this.crls.stop();
    await this.store.close();
  }

  async issue(request: IssueRequest): Promise<{ certificate: Certificate; issuer: string }> {
    const prepared = prepareIssue(request);
    const issuer = this.hierarchy.issuers.get(prepared.issuer)!;
    const certificate = await issuer.authority.issue(prepared.profile, prepared.subjectPublicKeyInfo);
    await this.store.insert(
      certificate,
      {
        issuer: prepared.issuer,
        profile: request.profile,
        ...(prepared.idCode ? { idCode: prepared.idCode } : {}),
      },
      this.now(),
    );
    return { certificate, issuer: prepared.issuer };
  }

  suspend(serial: string): Promise<CertificateRecord> {
    return this.change(serial, 'hold', 'certificateHold');
  }
  resume(serial: string): Promise<CertificateRecord> {
    return this.change(serial, 'good', null);
  }
  revoke(serial: string, reason: RevocationReason): Promise<CertificateRecord> {
    return this.change(serial, 'revoked', reason);
  }

  private async change(
    serial: string,
    to: 'good' | 'hold' | 'revoked',
    reason: RevocationReason | null,
  ): Promise<CertificateRecord> {
    const record = await this.store.transition(serial, to, reason, this.now());
    this.ocsp.invalidate(record.issuer, serial);
    await this.crls.publish(record.issuer as never);
    return record;
  }
}
