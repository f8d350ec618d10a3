/**
 * Trust configuration as the DigiDoc validators have it: a set of trust services, each a few
 * certificates with a role (certificate authority, OCSP responder, time-stamping authority) and a
 * status history. A trusted list (ETSI TS 119 612, trusted-list.ts) gives all of that; a directory
 * of PEM files gives certificates trusted for every role, always (the relying party vouches for
 * them by putting them there).
 *
 * A certificate is trusted for a role at a time when it is, or chains to, a certificate of a
 * service with that role whose status at that time is a granted one (libdigidocpp's
 * X509CertStore rule): a TSA unit issued by a CA listed as a TSA/QTST service is a trusted TSA.
 */
import type { Certificate, KeyUsageName } from '@riik/pki/x509/certificate';

/** What a trust anchor may vouch for. */
export type TrustRole = 'ca' | 'ocsp' | 'tsa';

/** A QualificationElement of the trusted-list extension (TS 119 612 5.5.9.2): qualifiers and when they apply. */
export interface Qualification {
  /** Qualifier URIs' last segment: QCWithQSCD, QCStatement, QCForESig, QCForLegalPerson, NotQualified, ... */
  readonly qualifiers: readonly string[];
  readonly assert: 'all' | 'atLeastOne' | 'none';
  /** KeyUsage criteria: each maps key-usage bits to the value they must have. */
  readonly keyUsage: ReadonlyArray<Readonly<Partial<Record<KeyUsageName, boolean>>>>;
  /** PolicySet criteria: each a set of policy OIDs the certificate must all carry. */
  readonly policySets: ReadonlyArray<readonly string[]>;
}

export interface ServiceStatusPeriod {
  /** StatusStartingTime; the period lasts until the next one. */
  readonly from: Date;
  /** A granted-like status (granted, undersupervision, accredited, recognisedatnationallevel, ...). */
  readonly trusted: boolean;
  readonly qualifications: readonly Qualification[];
}

export interface TrustService {
  readonly name: string;
  /** ServiceTypeIdentifier, or `configured` for certificates from a PEM directory. */
  readonly type: string;
  readonly roles: ReadonlySet<TrustRole>;
  /** A qualified service type (CA/QC, OCSP/QC, TSA/QTST). */
  readonly qualifiedType: boolean;
  readonly certificates: readonly Certificate[];
  /** Status periods, oldest first; empty means "always trusted" (configured certificates). */
  readonly history: readonly ServiceStatusPeriod[];
}

const ALL_ROLES: ReadonlySet<TrustRole> = new Set(['ca', 'ocsp', 'tsa']);

/** The anchor a trust decision rests on: the certificate and the service that lists it. */
export interface TrustAnchor {
  readonly certificate: Certificate;
  readonly service: TrustService;
  /** The service's status period at the time asked about (undefined for configured certificates). */
  readonly status?: ServiceStatusPeriod;
}

export class TrustStore {
  constructor(readonly services: readonly TrustService[]) {}

  /** Certificates trusted for every role, always: what a directory of PEM files means. */
  static fromCertificates(certificates: readonly Certificate[], name = 'configured'): TrustStore {
    return new TrustStore(
      certificates.length === 0
        ? []
        : [{ name, type: 'configured', roles: ALL_ROLES, qualifiedType: false, certificates, history: [] }],
    );
  }

  concat(other: TrustStore): TrustStore {
    return new TrustStore([...this.services, ...other.services]);
  }

  get isEmpty(): boolean {
    return this.services.every((s) => s.certificates.length === 0);
  }

  /** Every certificate of every service (useful as intermediates when building paths). */
  get certificates(): Certificate[] {
    return this.services.flatMap((s) => s.certificates);
  }

  /** The anchors trusted for `role` at `time`. */
  anchors(role: TrustRole, time: Date): TrustAnchor[] {
    const out: TrustAnchor[] = [];
    for (const service of this.services) {
      if (!service.roles.has(role)) continue;
      const status = statusAt(service, time);
      if (service.history.length > 0 && !status?.trusted) continue;
      for (const certificate of service.certificates)
        out.push({ certificate, service, ...(status ? { status } : {}) });
    }
    return out;
  }

  /** The anchor (for `role`, at `time`) a path ends in, to read its service's qualifications. */
  anchorFor(certificate: Certificate, role: TrustRole, time: Date): TrustAnchor | undefined {
    return this.anchors(role, time).find((a) => a.certificate.equals(certificate));
  }
}

function statusAt(service: TrustService, time: Date): ServiceStatusPeriod | undefined {
  let current: ServiceStatusPeriod | undefined;
  for (const period of service.history) {
    if (period.from.getTime() <= time.getTime()) current = period;
    else break;
  }
  return current;
}
