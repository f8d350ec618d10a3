import { children, encodeSequence, encodeTlv, readTlv } from '../der.js';
import { PkiError } from '../errors.js';
import {
  decodeFailureInfo,
  encodeFailureInfo,
  PKI_STATUS,
  pkiStatusName,
  type PkiFailureInfoName,
  type PkiStatusName,
} from './status.js';
import { MAX_TIMESTAMP_TOKEN, parseTimeStampToken, type ParsedTimeStampToken } from './token.js';

const GRANTED = encodeSequence([new Uint8Array([0x02, 0x01, PKI_STATUS.granted])]);

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo (granted), timeStampToken } (RFC 3161 §2.4.2). */
export function encodeTimeStampResp(token: Uint8Array): Uint8Array {
  return encodeSequence([GRANTED, token]);
}

/**
 * A rejection: PKIStatusInfo { rejection, statusString, failInfo } and no token. `text` is
 * for humans (openssl prints it); `failure` is what clients act on.
 */
export function timeStampRejection(failure: PkiFailureInfoName, text?: string): Uint8Array {
  const info: Uint8Array[] = [new Uint8Array([0x02, 0x01, PKI_STATUS.rejection])];
  if (text) info.push(encodeSequence([encodeTlv(0x0c, Buffer.from(text, 'utf8'))]));
  info.push(encodeFailureInfo([failure]));
  return encodeSequence([encodeSequence(info)]);
}

export interface ParsedTimeStampResp {
  der: Uint8Array;
  status: PkiStatusName;
  statusStrings: string[];
  failInfo: PkiFailureInfoName[];
  /** The token DER, when the status grants one. */
  tokenDer?: Uint8Array;
  token?: ParsedTimeStampToken;
}

const bad = (why: string) => new PkiError('MALFORMED_DER', `TimeStampResp: ${why}`);

/** Parse a TimeStampResp (a client's view). Throws MALFORMED_DER. */
export function parseTimeStampResp(input: Uint8Array): ParsedTimeStampResp {
  if (!(input instanceof Uint8Array) || input.length > MAX_TIMESTAMP_TOKEN + 1024)
    throw bad('missing or too large');
  const der = new Uint8Array(input);
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad('expected one SEQUENCE');
  const [statusInfo, tokenTlv, extra] = children(der, outer);
  if (!statusInfo || statusInfo.tag !== 0x30 || extra) throw bad('expected PKIStatusInfo');
  const fields = children(der, statusInfo);
  const statusTlv = fields[0];
  if (!statusTlv || statusTlv.tag !== 0x02 || statusTlv.end - statusTlv.contentStart !== 1)
    throw bad('bad status');
  const status = pkiStatusName(der[statusTlv.contentStart]!);
  if (!status) throw bad(`unknown PKIStatus ${der[statusTlv.contentStart]}`);
  const result: ParsedTimeStampResp = { der, status, statusStrings: [], failInfo: [] };
  for (const f of fields.slice(1)) {
    if (f.tag === 0x30) {
      for (const s of children(der, f)) {
        if (s.tag !== 0x0c) throw bad('statusString is not UTF8String');
        result.statusStrings.push(Buffer.from(der.subarray(s.contentStart, s.end)).toString('utf8'));
      }
    } else if (f.tag === 0x03) result.failInfo = decodeFailureInfo(der.subarray(f.contentStart, f.end));
    else throw bad('unexpected PKIStatusInfo field');
  }
  const granted = status === 'granted' || status === 'grantedWithMods';
  if (granted !== (tokenTlv !== undefined))
    throw bad(granted ? 'granted without a token' : `status ${status} with a token`);
  if (tokenTlv) {
    result.tokenDer = der.slice(tokenTlv.start, tokenTlv.end);
    result.token = parseTimeStampToken(result.tokenDer);
  }
  return result;
}
