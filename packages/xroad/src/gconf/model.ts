import type { XRoadClientId } from '../identifiers/client-id.js';

/*
 * The global configuration parts of PR-GCONF (version 2): shared parameters (Annex B) and private
 * parameters (Annex C), as plain data. Certificates are DER bytes.
 */

export interface OcspInfo {
  readonly url: string;
  /** The responder's certificate, when the CA uses a dedicated one. */
  readonly cert?: Uint8Array;
}

export interface CaInfo {
  readonly cert: Uint8Array;
  readonly ocsp: ReadonlyArray<OcspInfo>;
}

export interface ApprovedCa {
  readonly name: string;
  readonly authenticationOnly?: boolean;
  readonly topCa: CaInfo;
  readonly intermediateCas: ReadonlyArray<CaInfo>;
  /** In X-Road a Java class name; riik names its certificate profile (`riik.ee`). */
  readonly certificateProfileInfo: string;
}

export interface ApprovedTsa {
  readonly name: string;
  readonly url: string;
  readonly cert: Uint8Array;
}

export interface MemberClass {
  readonly code: string;
  readonly description: string;
}

export interface Member {
  readonly memberClass: MemberClass;
  readonly memberCode: string;
  readonly name: string;
  readonly subsystems: ReadonlyArray<string>;
}

export interface SecurityServerEntry {
  /** The owner member (a member identifier, no subsystem). */
  readonly owner: XRoadClientId;
  readonly serverCode: string;
  /** Externally visible address; riik writes `host:port` of the server proxy. */
  readonly address?: string;
  /** SHA-256 of the DER of each registered authentication certificate. */
  readonly authCertHashes: ReadonlyArray<Uint8Array>;
  /** Registered clients: members or subsystems. */
  readonly clients: ReadonlyArray<XRoadClientId>;
}

export interface GlobalGroup {
  readonly groupCode: string;
  readonly description: string;
  readonly members: ReadonlyArray<XRoadClientId>;
}

export interface SharedParameters {
  readonly instanceIdentifier: string;
  readonly approvedCas: ReadonlyArray<ApprovedCa>;
  readonly approvedTsas: ReadonlyArray<ApprovedTsa>;
  readonly members: ReadonlyArray<Member>;
  readonly securityServers: ReadonlyArray<SecurityServerEntry>;
  readonly globalGroups: ReadonlyArray<GlobalGroup>;
  readonly globalSettings: {
    readonly memberClasses: ReadonlyArray<MemberClass>;
    readonly ocspFreshnessSeconds: number;
  };
}

export interface ConfigurationSource {
  readonly downloadUrl: string;
  readonly verificationCerts: ReadonlyArray<Uint8Array>;
}

export interface ConfigurationAnchor {
  readonly generatedAt?: Date;
  readonly instanceIdentifier: string;
  readonly sources: ReadonlyArray<ConfigurationSource>;
}

export interface PrivateParameters {
  readonly instanceIdentifier: string;
  readonly configurationAnchors: ReadonlyArray<ConfigurationAnchor>;
  readonly managementService: {
    readonly authCertRegServiceAddress: string;
    readonly authCertRegServiceCert?: Uint8Array;
    readonly managementRequestServiceProviderId: XRoadClientId;
  };
  readonly timeStampingIntervalSeconds: number;
}
