import { z } from 'zod';
import { XRoadFault } from '../errors/fault.js';
import { XRoadClientId } from '../identifiers/client-id.js';
import { XRoadIdError } from '../identifiers/errors.js';
import type { IdentifierOptions } from '../identifiers/parts.js';
import { acceptsExactly } from '../rest/accept.js';
import { checkPart } from '../identifiers/parts.js';
import { childElements, escapeXmlText, parseXml, type XmlElement } from '../xml.js';
import { MetadataError } from './errors.js';

/*
 * listClients (PR-MREST §2, details in PR-META §2): `GET /listClients[?xRoadInstance=CODE]` on the
 * Security Server's client port, outside the r1 path space. JSON when the Accept header names
 * application/json, otherwise `text/xml` with the `clientList` element of PR-META Annex A.
 */

/** One member or subsystem in a client list. */
export interface ClientListEntry {
  readonly id: XRoadClientId;
  /** The member's name. */
  readonly name?: string | null;
  /** The subsystem's name (X-Road 7.3+), for subsystems. */
  readonly subsystemName?: string | null;
}

/** Reads a listClients request: null when `target` is not one; its `xRoadInstance` parameter otherwise. */
export function parseListClientsRequest(
  method: string,
  target: string,
  options?: IdentifierOptions,
): { readonly instance: string | null } | null {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path !== '/listClients') return null;
  if (method !== 'GET')
    throw new XRoadFault('Client.InvalidHttpMethod', 'listClients must be called with GET');
  const params = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  const instance = params.get('xRoadInstance');
  if (instance === null) return { instance: null };
  try {
    return { instance: checkPart(instance, 'xRoadInstance', options) };
  } catch (err) {
    if (err instanceof XRoadIdError)
      throw new XRoadFault('Client.BadRequest', `invalid xRoadInstance: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The listClients response media type: JSON only when asked for by name (PR-META §2). */
export function listClientsContentType(
  accept: string | ReadonlyArray<string> | null | undefined,
): 'application/json' | 'text/xml' {
  return acceptsExactly(accept, 'application/json') ? 'application/json' : 'text/xml';
}

export interface ClientListJson {
  member: Array<{
    id: {
      member_class: string;
      member_code: string;
      subsystem_code?: string;
      object_type: 'MEMBER' | 'SUBSYSTEM';
      xroad_instance: string;
    };
    name?: string;
    subsystem_name?: string;
  }>;
}

/** Builds the JSON listClients body with the field names and order of PR-META Annex C.1. */
export function buildClientListJson(entries: ReadonlyArray<ClientListEntry>): ClientListJson {
  return {
    member: entries.map(({ id, name, subsystemName }) => ({
      id: {
        member_class: id.memberClass,
        member_code: id.memberCode,
        ...(id.subsystemCode === null ? {} : { subsystem_code: id.subsystemCode }),
        object_type: id.objectType,
        xroad_instance: id.instance,
      },
      ...(name == null ? {} : { name }),
      ...(subsystemName == null ? {} : { subsystem_name: subsystemName }),
    })),
  };
}

const ClientListJsonSchema = z.object({
  member: z
    .array(
      z.object({
        id: z.object({
          member_class: z.string(),
          member_code: z.string(),
          subsystem_code: z.string().nullish(),
          object_type: z.enum(['MEMBER', 'SUBSYSTEM']),
          xroad_instance: z.string(),
        }),
        name: z.string().nullish(),
        subsystem_name: z.string().nullish(),
      }),
    )
    .max(1_000_000)
    .nullish(),
});

/** Reads a JSON listClients body (already JSON-parsed). */
export function parseClientListJson(json: unknown, options?: IdentifierOptions): ClientListEntry[] {
  const parsed = ClientListJsonSchema.safeParse(json);
  if (!parsed.success) throw new MetadataError('MALFORMED', 'not a client list', { cause: parsed.error });
  return (parsed.data.member ?? []).map((m) => {
    const id = MetadataError.wrap(() =>
      XRoadClientId.of(
        {
          instance: m.id.xroad_instance,
          memberClass: m.id.member_class,
          memberCode: m.id.member_code,
          subsystemCode: m.id.subsystem_code ?? null,
        },
        options,
      ),
    );
    if (id.objectType !== m.id.object_type)
      throw new MetadataError('MALFORMED', 'object_type does not match the identifier');
    return { id, name: m.name ?? null, subsystemName: m.subsystem_name ?? null };
  });
}

export const NS_IDENTIFIERS = 'http://x-road.eu/xsd/identifiers';
export const NS_XROAD = 'http://x-road.eu/xsd/xroad.xsd';

/** Builds the XML listClients body as PR-META Annex C.1 shows it (JAXB's output, prefixes included). */
export function buildClientListXml(entries: ReadonlyArray<ClientListEntry>): string {
  const el = (indent: string, name: string, text: string): string =>
    `${indent}<${name}>${escapeXmlText(text)}</${name}>\n`;
  let xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  xml += `<ns2:clientList xmlns:ns1="${NS_IDENTIFIERS}" xmlns:ns2="${NS_XROAD}">\n`;
  for (const { id, name, subsystemName } of entries) {
    xml += '    <ns2:member>\n';
    xml += `        <ns2:id ns1:objectType="${id.objectType}">\n`;
    xml += el('            ', 'ns1:xRoadInstance', id.instance);
    xml += el('            ', 'ns1:memberClass', id.memberClass);
    xml += el('            ', 'ns1:memberCode', id.memberCode);
    if (id.subsystemCode !== null) xml += el('            ', 'ns1:subsystemCode', id.subsystemCode);
    xml += '        </ns2:id>\n';
    if (name != null) xml += el('        ', 'ns2:name', name);
    if (subsystemName != null) xml += el('        ', 'ns2:subsystemName', subsystemName);
    xml += '    </ns2:member>\n';
  }
  return `${xml}</ns2:clientList>\n`;
}

/** The largest XML client list riik parses. */
export const MAX_CLIENT_LIST_XML_LENGTH = 32 * 1024 * 1024;

/** Reads an XML listClients body; elements are matched by namespace, whatever their prefixes. */
export function parseClientListXml(xml: string, options?: IdentifierOptions): ClientListEntry[] {
  if (typeof xml !== 'string') throw new MetadataError('MALFORMED', 'XML text required');
  if (xml.length > MAX_CLIENT_LIST_XML_LENGTH) throw new MetadataError('TOO_LARGE', 'client list too large');
  const root = parseXml(xml)?.documentElement;
  if (!root || root.namespaceURI !== NS_XROAD || root.localName !== 'clientList') {
    throw new MetadataError('MALFORMED', 'not a clientList document');
  }
  return childElements(root).map((member) => {
    if (member.namespaceURI !== NS_XROAD || member.localName !== 'member') {
      throw new MetadataError('MALFORMED', `unexpected element ${member.localName ?? ''}`);
    }
    const children = childElements(member);
    const idEl = only(children, NS_XROAD, 'id', true)!;
    const part = (name: string, required: boolean): string | null =>
      only(childElements(idEl), NS_IDENTIFIERS, name, required)?.textContent ?? null;
    const id = MetadataError.wrap(() =>
      XRoadClientId.of(
        {
          instance: part('xRoadInstance', true)!,
          memberClass: part('memberClass', true)!,
          memberCode: part('memberCode', true)!,
          subsystemCode: part('subsystemCode', false),
        },
        options,
      ),
    );
    if (idEl.getAttributeNS(NS_IDENTIFIERS, 'objectType') !== id.objectType) {
      throw new MetadataError('MALFORMED', 'objectType does not match the identifier');
    }
    return {
      id,
      name: only(children, NS_XROAD, 'name', false)?.textContent ?? null,
      subsystemName: only(children, NS_XROAD, 'subsystemName', false)?.textContent ?? null,
    };
  });
}

function only(elements: XmlElement[], ns: string, name: string, required: boolean): XmlElement | undefined {
  const found = elements.filter((e) => e.namespaceURI === ns && e.localName === name);
  if (found.length > 1) throw new MetadataError('MALFORMED', `more than one ${name}`);
  if (required && found.length === 0) throw new MetadataError('MALFORMED', `missing ${name}`);
  return found[0];
}
