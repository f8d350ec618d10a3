import type { Extension } from '@peculiar/asn1-x509';
import { fromHex } from '@riik/core';
import { signatureAlgorithm } from '../algorithms.js';
import type { CertificateAuthority } from '../ca/authority.js';
import { arrayBuffer, serializeDer } from '../der.js';
import { asn1Schema, asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';
import { wholeSeconds } from '../time.js';
import { CRL_REASONS, type RevocationReason } from './reason.js';

export interface CrlEntry {
  /** Serial number as hex of the INTEGER content (as `Certificate.serialHex`). */
  serialHex: string;
  revokedAt: Date;
  reason: RevocationReason;
}

export interface BuildCrlOptions {
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing CRL number (RFC 5280 §5.2.3). */
  crlNumber: number;
  entries: CrlEntry[];
}

function ext(extnID: string, value: unknown, critical = false): Extension {
  const { AsnConvert, OctetString } = asn1Schema();
  const { Extension } = asn1X509();
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** Build and sign a v2 CRL for `ca` (RFC 5280 §5). Suspended certificates appear with certificateHold. */
export async function buildCrl(ca: CertificateAuthority, options: BuildCrlOptions): Promise<Uint8Array> {
  const {
    AuthorityKeyIdentifier,
    CertificateList,
    CRLNumber,
    CRLReason,
    KeyIdentifier,
    RevokedCertificate,
    TBSCertList,
    Time,
    Version,
  } = asn1X509();
  const algorithm = signatureAlgorithm(ca.signer, ca.hash);
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: ca.certificate.subject,
    thisUpdate: new Time({ utcTime: wholeSeconds(options.thisUpdate) }),
    nextUpdate: new Time({ utcTime: wholeSeconds(options.nextUpdate) }),
    crlExtensions: [
      ext(
        OID.authorityKeyIdentifier,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(arrayBuffer(ca.keyId)) }),
      ),
      ext(OID.cRLNumber, new CRLNumber(options.crlNumber)),
    ],
  });
  if (options.entries.length > 0) {
    tbs.revokedCertificates = options.entries.map(
      (e) =>
        new RevokedCertificate({
          userCertificate: arrayBuffer(fromHex(e.serialHex)),
          revocationDate: new Time({ utcTime: wholeSeconds(e.revokedAt) }),
          // RFC 5280 §5.3.1: omit the reason code rather than write "unspecified".
          ...(e.reason === 'unspecified'
            ? {}
            : { crlEntryExtensions: [ext(OID.cRLReason, new CRLReason(CRL_REASONS[e.reason]))] }),
        }),
    );
  }
  const tbsDer = serializeDer(tbs);
  const signature = await ca.signer.sign(tbsDer, ca.hash);
  return serializeDer(
    new CertificateList({
      tbsCertList: tbs,
      signatureAlgorithm: algorithm,
      signature: arrayBuffer(signature),
    }),
  );
}
