import { AsnArray, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { encodeOid, encodeSequence } from '../der.js';
import { OID } from '../oids.js';

/** QcType ::= SEQUENCE OF OBJECT IDENTIFIER (ETSI EN 319 412-5 §4.2.3). */
export class QcTypeSequence extends AsnArray<string> {
  constructor(items?: string[]) {
    super(items);
    Object.setPrototypeOf(this, QcTypeSequence.prototype);
  }
}
// Applied as a plain call: the asn1-schema decorators are legacy-style, and riik's TypeScript
// configuration does not enable experimentalDecorators for one small schema.
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.ObjectIdentifier })(QcTypeSequence);

export interface QcStatementOptions {
  /** QcCompliance: the certificate is an EU qualified certificate. */
  compliance?: boolean;
  /** QcSSCD: the private key lives in a qualified signature creation device. */
  sscd?: boolean;
  /** QcType, e.g. OID.qctEsign. */
  types?: string[];
}

/**
 * The DER of QCStatements (RFC 3739 §3.2.6, ETSI EN 319 412-5). Encoded by hand because the
 * ASN.1 library cannot serialise a QCStatement without its optional statementInfo, and
 * QcCompliance / QcSSCD have none.
 */
export function buildQcStatements(options: QcStatementOptions): Uint8Array {
  const statements: Uint8Array[] = [];
  if (options.compliance) statements.push(encodeSequence([encodeOid(OID.qcsQcCompliance)]));
  if (options.sscd) statements.push(encodeSequence([encodeOid(OID.qcsQcSSCD)]));
  if (options.types?.length) {
    statements.push(encodeSequence([encodeOid(OID.qcsQcType), encodeSequence(options.types.map(encodeOid))]));
  }
  return encodeSequence(statements);
}
