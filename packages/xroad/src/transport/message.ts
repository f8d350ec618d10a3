import { escapeXmlText, childElements, parseXml } from '../xml.js';
import type { SignatureData } from '../signature/message-signature.js';
import { MAX_SIGNATURE_XML_BYTES } from '../signature/xades.js';
import { MAX_HASH_CHAIN_XML_BYTES } from '../signature/hash-chain.js';
import { TransportError } from './errors.js';
import type { MultipartReader, PartHeaders } from './multipart.js';

/** The part content types of the X-Road transport message (PR-MESSTRANSP §3.1). */
export const PartType = {
  ocspResponse: 'application/ocsp-response',
  restRequest: 'application/x-road-rest-request',
  restResponse: 'application/x-road-rest-response',
  restBody: 'application/x-road-rest-body',
  hashChainResult: 'application/hash-chain-result',
  hashChain: 'application/hash-chain',
  signature: 'signature/bdoc-1.0/ts',
  soapFault: 'text/xml',
} as const;

/** HTTP headers between Security Servers (PR-MESSTRANSP §3.2 step 4a/4b). */
export const TransportHeader = {
  requestId: 'x-road-request-id',
  hashAlgorithm: 'x-hash-algorithm',
  originalContentType: 'x-original-content-type',
  proxyVersion: 'x-proxy-version',
  messageType: 'x-road-message-type',
} as const;

/** Largest OCSP response part riik reads. */
export const MAX_OCSP_PART_BYTES = 64 * 1024;

/** What follows the REST header part and body: the signature, or a fault in its place. */
export type Trailer = { kind: 'signature'; signature: SignatureData } | { kind: 'fault'; fault: SoapFault };

/**
 * Read the end of a transport message after its REST parts: optionally `application/hash-chain-result`
 * and `application/hash-chain` (a batch signature, both or neither), then `signature/bdoc-1.0/ts` — or a
 * SOAP fault (`text/xml`) that the other side sends as the last part when it failed after streaming
 * (PR-MESSTRANSP §3.1). `first` is the part already read after the body, if any.
 */
export async function readTrailer(reader: MultipartReader, first: PartHeaders | null): Promise<Trailer> {
  let part = first ?? (await reader.nextPart());
  let hashChainResult: string | undefined;
  let hashChain: string | undefined;
  if (part?.contentType === PartType.hashChainResult) {
    hashChainResult = (await reader.readAll(MAX_HASH_CHAIN_XML_BYTES)).toString('utf8');
    part = await reader.nextPart();
    if (part?.contentType !== PartType.hashChain)
      throw new TransportError('InvalidMessage', 'a hash chain result must be followed by its hash chain');
    hashChain = (await reader.readAll(MAX_HASH_CHAIN_XML_BYTES)).toString('utf8');
    part = await reader.nextPart();
  }
  if (!part) throw new TransportError('MissingSignature', 'the message has no signature');
  if (part.contentType === PartType.soapFault) {
    const fault = parseSoapFault((await reader.readAll(MAX_FAULT_BYTES)).toString('utf8'));
    if (!fault) throw new TransportError('InvalidMessage', 'unreadable fault part');
    return { kind: 'fault', fault };
  }
  if (part.contentType !== PartType.signature)
    throw new TransportError('InvalidContentType', `unexpected part ${part.contentType.slice(0, 100)}`);
  const signatureXml = (await reader.readAll(MAX_SIGNATURE_XML_BYTES)).toString('utf8');
  if ((await reader.nextPart()) !== null)
    throw new TransportError('InvalidMessage', 'parts after the signature');
  return {
    kind: 'signature',
    signature: {
      signatureXml,
      ...(hashChainResult ? { hashChainResult } : {}),
      ...(hashChain ? { hashChain } : {}),
    },
  };
}

/** The SOAP fault a Security Server sends to the other Security Server when it refuses a message. */
export interface SoapFault {
  /** The X-Road fault type (`Server.ServerProxy.AccessDenied`). */
  readonly code: string;
  readonly message: string;
  readonly detail: string;
}

export const MAX_FAULT_BYTES = 64 * 1024;

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A SOAP 1.1 fault in the form the reference Security Server sends (faultcode = X-Road type). */
export function buildSoapFault(fault: SoapFault): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}"><SOAP-ENV:Body>` +
    `<SOAP-ENV:Fault><faultcode>${escapeXmlText(fault.code)}</faultcode>` +
    `<faultstring>${escapeXmlText(fault.message)}</faultstring><faultactor></faultactor>` +
    `<detail><faultDetail xmlns="">${escapeXmlText(fault.detail)}</faultDetail></detail>` +
    `</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** Read a SOAP fault; null for anything else. */
export function parseSoapFault(xml: string): SoapFault | null {
  if (xml.length > MAX_FAULT_BYTES) return null;
  const env = parseXml(xml)?.documentElement;
  if (!env || env.namespaceURI !== SOAP_ENV || env.localName !== 'Envelope') return null;
  const body = childElements(env).find((e) => e.namespaceURI === SOAP_ENV && e.localName === 'Body');
  const fault =
    body && childElements(body).find((e) => e.namespaceURI === SOAP_ENV && e.localName === 'Fault');
  if (!fault) return null;
  const text = (name: string) => childElements(fault).find((e) => e.localName === name)?.textContent ?? '';
  const code = text('faultcode').trim();
  if (!code) return null;
  return { code, message: text('faultstring'), detail: text('detail').trim() };
}
