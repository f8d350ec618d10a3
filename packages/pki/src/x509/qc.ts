import { encodeOid, encodeSequence } from '../der.js';
import { asn1Schema } from '../lazy-modules.js';
import { OID } from '../oids.js';

let qcTypeSequenceClass: (new (items?: string[]) => string[]) | undefined;

/**
 * QcType ::= SEQUENCE OF OBJECT IDENTIFIER (ETSI EN 319 412-5 §4.2.3), as an asn1-schema class,
 * made on first use (the ASN.1 library is loaded lazily, see lazy-modules.ts).
 */
export function qcTypeSequence(): new (items?: string[]) => string[] {
  if (!qcTypeSequenceClass) {
    const { AsnArray, AsnPropTypes, AsnType, AsnTypeTypes } = asn1Schema();
    class QcTypeSequence extends AsnArray<string> {
      constructor(items?: string[]) {
        super(items);
        Object.setPrototypeOf(this, QcTypeSequence.prototype);
      }
    }
    // Applied as a plain call: the asn1-schema decorators are legacy-style, and riik's TypeScript
    // configuration does not enable experimentalDecorators for one small schema.
    AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.ObjectIdentifier })(QcTypeSequence);
    qcTypeSequenceClass = QcTypeSequence;
  }
  return qcTypeSequenceClass;
}

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
