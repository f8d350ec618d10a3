import type { XmlDocument } from '../xml/dom.js';
import type { Finding } from '../validation/findings.js';
import type { XadesSignature } from '../xades/model.js';
import type { ZipEntryInfo, ZipReader } from '../zip/read.js';
import type { AsicManifest } from './asic-manifest.js';
import type { Manifest } from './manifest.js';
import type { ContainerFormat } from './mimetype.js';

export interface DataFile {
  readonly name: string;
  readonly entry: ZipEntryInfo;
  readonly size: number;
  /** Media type from the manifest, when it lists the file. */
  readonly mediaType?: string;
}

export interface SignatureFile {
  readonly name: string;
  readonly entry: ZipEntryInfo;
  /** The file exactly as stored (kept byte for byte when signatures are added). */
  readonly bytes: Buffer;
  readonly document: XmlDocument;
  readonly signatures: readonly XadesSignature[];
}

export interface TimeStampTokenFile {
  readonly name: string;
  readonly entry: ZipEntryInfo;
  /** DER of the RFC 3161 TimeStampToken (CMS SignedData). */
  readonly der: Buffer;
}

export interface ArchiveManifestFile {
  readonly name: string;
  readonly entry: ZipEntryInfo;
  readonly bytes: Buffer;
  readonly manifest: AsicManifest;
}

/** An opened ASiC container: its parts classified, its signatures parsed, nothing yet verified. */
export interface Container {
  readonly format: ContainerFormat;
  readonly zip: ZipReader;
  readonly manifest?: Manifest;
  readonly dataFiles: readonly DataFile[];
  readonly signatureFiles: readonly SignatureFile[];
  /** META-INF/*timestamp*.tst (time-stamped ASiC-S). */
  readonly timeStampTokens: readonly TimeStampTokenFile[];
  readonly archiveManifests: readonly ArchiveManifestFile[];
  /** META-INF/*signature*.p7s: CAdES signatures, recognised but not validated. */
  readonly cadesSignatureFiles: readonly string[];
  /** Other entries riik recognises but does not evaluate (evidence records, ASiCManifest of CAdES). */
  readonly unsupportedEntries: readonly string[];
  /** Structural observations made while opening (mimetype placement and the like). */
  readonly notices: readonly Finding[];
  /** Every signature of every signature file, in container order. */
  readonly signatures: readonly XadesSignature[];
  close(): void;
}
