import { fromBase64, toBase64 } from '@riik/core';
import { XRoadClientId } from '../identifiers/client-id.js';
import { XRoadIdError } from '../identifiers/errors.js';
import { childElements, escapeXmlText, parseXml, type XmlElement } from '../xml.js';
import { GlobalConfError } from './errors.js';
import type {
  ApprovedCa,
  ApprovedTsa,
  CaInfo,
  ConfigurationAnchor,
  GlobalGroup,
  Member,
  MemberClass,
  PrivateParameters,
  SecurityServerEntry,
  SharedParameters,
} from './model.js';

/*
 * XML of the configuration parts, as the schemas of PR-GCONF Annexes B, C and E define them: root
 * `conf` / `configurationAnchor` in http://x-road.eu/xsd/xroad.xsd, local elements unqualified, client
 * identifiers in http://x-road.eu/xsd/identifiers. Writers emit elements in schema order; readers
 * check the order and cardinality they depend on and refuse unknown elements.
 */

export const NS_XROAD_CONF = 'http://x-road.eu/xsd/xroad.xsd';
export const NS_ID = 'http://x-road.eu/xsd/identifiers';

/** Largest configuration part riik parses (the real EE instance's shared parameters are ~2 MB). */
export const MAX_PARAMETERS_BYTES = 32 * 1024 * 1024;

const DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

function t(name: string, text: string | number | boolean): string {
  return `<${name}>${escapeXmlText(String(text))}</${name}>`;
}

function caInfoXml(name: string, ca: CaInfo): string {
  const ocsp = ca.ocsp
    .map((o) => `<ocsp>${t('url', o.url)}${o.cert ? t('cert', toBase64(o.cert)) : ''}</ocsp>`)
    .join('');
  return `<${name}>${t('cert', toBase64(ca.cert))}${ocsp}</${name}>`;
}

function memberClassXml(name: string, mc: MemberClass): string {
  return `<${name}>${t('code', mc.code)}${t('description', mc.description)}</${name}>`;
}

function clientIdXml(name: string, id: XRoadClientId): string {
  return (
    `<${name} id:objectType="${id.objectType}">${t('id:xRoadInstance', id.instance)}` +
    `${t('id:memberClass', id.memberClass)}${t('id:memberCode', id.memberCode)}` +
    `${id.subsystemCode === null ? '' : t('id:subsystemCode', id.subsystemCode)}</${name}>`
  );
}

/** Shared parameters XML (PR-GCONF Annex B, version 2). */
export function buildSharedParametersXml(p: SharedParameters): string {
  // Members and subsystems get XML IDs; security servers refer to their owner and clients by them.
  const idOf = new Map<string, string>();
  let next = 0;
  const members = p.members
    .map((m) => {
      const memberId = XRoadClientId.of({
        instance: p.instanceIdentifier,
        memberClass: m.memberClass.code,
        memberCode: m.memberCode,
      });
      const mid = `ID${next++}`;
      idOf.set(memberId.key, mid);
      const subsystems = m.subsystems
        .map((code) => {
          const sid = `ID${next++}`;
          idOf.set(XRoadClientId.of({ ...memberId, subsystemCode: code }).key, sid);
          return `<subsystem id="${sid}">${t('subsystemCode', code)}</subsystem>`;
        })
        .join('');
      return `<member id="${mid}">${memberClassXml('memberClass', m.memberClass)}${t('memberCode', m.memberCode)}${t('name', m.name)}${subsystems}</member>`;
    })
    .join('');
  const ref = (id: XRoadClientId): string => {
    const xmlId = idOf.get(id.key);
    if (!xmlId)
      throw new GlobalConfError('MALFORMED', `security server refers to an unknown client ${id.encode()}`);
    return xmlId;
  };
  const servers = p.securityServers
    .map(
      (s) =>
        `<securityServer>${t('owner', ref(s.owner))}${t('serverCode', s.serverCode)}` +
        `${s.address === undefined ? '' : t('address', s.address)}` +
        s.authCertHashes.map((h) => t('authCertHash', toBase64(h))).join('') +
        s.clients.map((c) => t('client', ref(c))).join('') +
        `</securityServer>`,
    )
    .join('');
  const cas = p.approvedCas
    .map(
      (ca) =>
        `<approvedCA>${t('name', ca.name)}` +
        `${ca.authenticationOnly === undefined ? '' : t('authenticationOnly', ca.authenticationOnly)}` +
        `${caInfoXml('topCA', ca.topCa)}${ca.intermediateCas.map((i) => caInfoXml('intermediateCA', i)).join('')}` +
        `${t('certificateProfileInfo', ca.certificateProfileInfo)}</approvedCA>`,
    )
    .join('');
  const tsas = p.approvedTsas
    .map(
      (a) =>
        `<approvedTSA>${t('name', a.name)}${t('url', a.url)}${t('cert', toBase64(a.cert))}</approvedTSA>`,
    )
    .join('');
  const groups = p.globalGroups
    .map(
      (g) =>
        `<globalGroup>${t('groupCode', g.groupCode)}${t('description', g.description)}` +
        `${g.members.map((m) => clientIdXml('groupMember', m)).join('')}</globalGroup>`,
    )
    .join('');
  const settings =
    `<globalSettings>${p.globalSettings.memberClasses.map((m) => memberClassXml('memberClass', m)).join('')}` +
    `${t('ocspFreshnessSeconds', p.globalSettings.ocspFreshnessSeconds)}</globalSettings>`;
  return (
    `${DECL}<tns:conf xmlns:id="${NS_ID}" xmlns:tns="${NS_XROAD_CONF}">${t('instanceIdentifier', p.instanceIdentifier)}` +
    `${cas}${tsas}${members}${servers}${groups}${settings}</tns:conf>\n`
  );
}

/** Private parameters XML (PR-GCONF Annex C, version 2). */
export function buildPrivateParametersXml(p: PrivateParameters): string {
  const ms = p.managementService;
  return (
    `${DECL}<tns:conf xmlns:id="${NS_ID}" xmlns:tns="${NS_XROAD_CONF}">${t('instanceIdentifier', p.instanceIdentifier)}` +
    p.configurationAnchors.map((a) => anchorBody('configurationAnchor', a)).join('') +
    `<managementService>${t('authCertRegServiceAddress', ms.authCertRegServiceAddress)}` +
    `${ms.authCertRegServiceCert ? t('authCertRegServiceCert', toBase64(ms.authCertRegServiceCert)) : ''}` +
    `${clientIdXml('managementRequestServiceProviderId', ms.managementRequestServiceProviderId)}</managementService>` +
    `${t('timeStampingIntervalSeconds', p.timeStampingIntervalSeconds)}</tns:conf>\n`
  );
}

function anchorBody(name: string, a: ConfigurationAnchor, attrs = ''): string {
  return (
    `<${name}${attrs}>${a.generatedAt ? t('generatedAt', a.generatedAt.toISOString()) : ''}` +
    `${t('instanceIdentifier', a.instanceIdentifier)}` +
    a.sources
      .map(
        (s) =>
          `<source>${t('downloadURL', s.downloadUrl)}${s.verificationCerts
            .map((c) => t('verificationCert', toBase64(c)))
            .join('')}</source>`,
      )
      .join('') +
    `</${name}>`
  );
}

/** A configuration anchor file (PR-GCONF §2.2, Annex E). */
export function buildConfigurationAnchorXml(a: ConfigurationAnchor): string {
  return `${DECL}${anchorBody('tns:configurationAnchor', a, ` xmlns:tns="${NS_XROAD_CONF}"`)}\n`;
}

// ---- reading ---------------------------------------------------------------------------------

function malformed(message: string, cause?: unknown): GlobalConfError {
  return new GlobalConfError('MALFORMED', message, cause === undefined ? undefined : { cause });
}

function root(xml: string, name: string): XmlElement {
  if (typeof xml !== 'string' || Buffer.byteLength(xml) > MAX_PARAMETERS_BYTES)
    throw malformed(`${name} too large`);
  const el = parseXml(xml)?.documentElement;
  if (!el || el.namespaceURI !== NS_XROAD_CONF || el.localName !== name)
    throw malformed(`not a ${name} document`);
  return el;
}

/** Children of `el` as a queue read in schema order. */
class Seq {
  private i = 0;
  private readonly items: XmlElement[];
  constructor(
    el: XmlElement,
    private readonly where: string,
  ) {
    this.items = childElements(el);
    for (const c of this.items)
      if (c.namespaceURI !== null && c.namespaceURI !== '' && c.namespaceURI !== NS_ID)
        throw malformed(`unexpected element ${c.tagName} in ${where}`);
  }
  many(name: string): XmlElement[] {
    const out: XmlElement[] = [];
    while (this.items[this.i]?.localName === name) out.push(this.items[this.i++]!);
    return out;
  }
  opt(name: string): XmlElement | undefined {
    return this.many(name).reduce<XmlElement | undefined>((_, e, k) => {
      if (k > 0) throw malformed(`repeated ${name} in ${this.where}`);
      return e;
    }, undefined);
  }
  one(name: string): XmlElement {
    const e = this.opt(name);
    if (!e) throw malformed(`missing ${name} in ${this.where}`);
    return e;
  }
  text(name: string): string {
    return (this.one(name).textContent ?? '').trim();
  }
  optText(name: string): string | undefined {
    const e = this.opt(name);
    return e ? (e.textContent ?? '').trim() : undefined;
  }
  end(): void {
    const rest = this.items[this.i];
    if (rest) throw malformed(`unexpected element ${rest.tagName} in ${this.where}`);
  }
}

function b64(text: string, what: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch (cause) {
    throw malformed(`${what} is not base64`, cause);
  }
}

function int(text: string, what: string): number {
  if (!/^-?\d{1,12}$/.test(text)) throw malformed(`${what} is not an integer`);
  return Number(text);
}

function clientId(f: () => XRoadClientId): XRoadClientId {
  try {
    return f();
  } catch (err) {
    if (err instanceof XRoadIdError) throw malformed(`invalid identifier: ${err.message}`, err);
    throw err;
  }
}

function readClientId(el: XmlElement, where: string): XRoadClientId {
  const s = new Seq(el, where);
  const id = clientId(() =>
    XRoadClientId.of(
      {
        instance: s.text('xRoadInstance'),
        memberClass: s.text('memberClass'),
        memberCode: s.text('memberCode'),
        subsystemCode: s.optText('subsystemCode') ?? null,
      },
      { policy: 'lenient' },
    ),
  );
  s.end();
  const type = el.getAttributeNS(NS_ID, 'objectType');
  if (type !== id.objectType) throw malformed(`objectType of ${where} does not match the identifier`);
  return id;
}

function readMemberClass(el: XmlElement): MemberClass {
  const s = new Seq(el, 'memberClass');
  const mc = { code: s.text('code'), description: s.text('description') };
  s.end();
  return mc;
}

function readCaInfo(el: XmlElement, where: string): CaInfo {
  const s = new Seq(el, where);
  const cert = b64(s.text('cert'), `${where} cert`);
  const ocsp = s.many('ocsp').map((o) => {
    const os = new Seq(o, 'ocsp');
    const url = os.text('url');
    const c = os.optText('cert');
    os.end();
    return c === undefined ? { url } : { url, cert: b64(c, 'ocsp cert') };
  });
  s.end();
  return { cert, ocsp };
}

/** Read shared parameters XML (version 2). */
export function parseSharedParametersXml(xml: string): SharedParameters {
  const s = new Seq(root(xml, 'conf'), 'shared parameters');
  const instanceIdentifier = s.text('instanceIdentifier');
  const approvedCas: ApprovedCa[] = s.many('approvedCA').map((el) => {
    const c = new Seq(el, 'approvedCA');
    const name = c.text('name');
    const auth = c.optText('authenticationOnly');
    const topCa = readCaInfo(c.one('topCA'), 'topCA');
    const intermediateCas = c.many('intermediateCA').map((i) => readCaInfo(i, 'intermediateCA'));
    const certificateProfileInfo = c.text('certificateProfileInfo');
    c.end();
    return {
      name,
      ...(auth === undefined ? {} : { authenticationOnly: auth === 'true' || auth === '1' }),
      topCa,
      intermediateCas,
      certificateProfileInfo,
    };
  });
  const approvedTsas: ApprovedTsa[] = s.many('approvedTSA').map((el) => {
    const c = new Seq(el, 'approvedTSA');
    const tsa = { name: c.text('name'), url: c.text('url'), cert: b64(c.text('cert'), 'approvedTSA cert') };
    c.end();
    return tsa;
  });
  const byXmlId = new Map<string, XRoadClientId>();
  const members: Member[] = s.many('member').map((el) => {
    const c = new Seq(el, 'member');
    const memberClass = readMemberClass(c.one('memberClass'));
    const memberCode = c.text('memberCode');
    const name = c.text('name');
    const memberId = clientId(() =>
      XRoadClientId.of(
        { instance: instanceIdentifier, memberClass: memberClass.code, memberCode },
        { policy: 'lenient' },
      ),
    );
    const xmlId = el.getAttribute('id');
    if (xmlId) byXmlId.set(xmlId, memberId);
    const subsystems = c.many('subsystem').map((sub) => {
      const ss = new Seq(sub, 'subsystem');
      const code = ss.text('subsystemCode');
      ss.end();
      const subId = sub.getAttribute('id');
      if (subId)
        byXmlId.set(
          subId,
          clientId(() => XRoadClientId.of({ ...memberId, subsystemCode: code }, { policy: 'lenient' })),
        );
      return code;
    });
    c.end();
    return { memberClass, memberCode, name, subsystems };
  });
  const deref = (text: string, what: string): XRoadClientId => {
    const id = byXmlId.get(text);
    if (!id) throw malformed(`${what} refers to unknown id ${text.slice(0, 50)}`);
    return id;
  };
  const securityServers: SecurityServerEntry[] = s.many('securityServer').map((el) => {
    const c = new Seq(el, 'securityServer');
    const owner = deref(c.text('owner'), 'owner');
    if (owner.subsystemCode !== null) throw malformed('a security server owner must be a member');
    const serverCode = c.text('serverCode');
    const address = c.optText('address');
    const authCertHashes = c
      .many('authCertHash')
      .map((h) => b64((h.textContent ?? '').trim(), 'authCertHash'));
    const clients = c.many('client').map((h) => deref((h.textContent ?? '').trim(), 'client'));
    c.end();
    return { owner, serverCode, ...(address === undefined ? {} : { address }), authCertHashes, clients };
  });
  const globalGroups: GlobalGroup[] = s.many('globalGroup').map((el) => {
    const c = new Seq(el, 'globalGroup');
    const groupCode = c.text('groupCode');
    const description = c.text('description');
    const groupMembers = c.many('groupMember').map((m) => readClientId(m, 'groupMember'));
    c.end();
    return { groupCode, description, members: groupMembers };
  });
  s.many('centralService'); // riik defines none; tolerated when read
  const gs = new Seq(s.one('globalSettings'), 'globalSettings');
  const memberClasses = gs.many('memberClass').map(readMemberClass);
  const ocspFreshnessSeconds = int(gs.text('ocspFreshnessSeconds'), 'ocspFreshnessSeconds');
  gs.end();
  s.end();
  return {
    instanceIdentifier,
    approvedCas,
    approvedTsas,
    members,
    securityServers,
    globalGroups,
    globalSettings: { memberClasses, ocspFreshnessSeconds },
  };
}

function readAnchor(el: XmlElement, where: string): ConfigurationAnchor {
  const s = new Seq(el, where);
  const generated = s.optText('generatedAt');
  const instanceIdentifier = s.text('instanceIdentifier');
  const sources = s.many('source').map((src) => {
    const c = new Seq(src, 'source');
    const downloadUrl = c.text('downloadURL');
    const verificationCerts = c
      .many('verificationCert')
      .map((v) => b64((v.textContent ?? '').trim(), 'verificationCert'));
    c.end();
    if (verificationCerts.length === 0)
      throw malformed('a configuration source needs a verification certificate');
    return { downloadUrl, verificationCerts };
  });
  s.end();
  if (sources.length === 0) throw malformed(`${where} without a source`);
  let generatedAt: Date | undefined;
  if (generated !== undefined) {
    generatedAt = new Date(generated);
    if (Number.isNaN(generatedAt.getTime())) throw malformed('bad generatedAt');
  }
  return { ...(generatedAt ? { generatedAt } : {}), instanceIdentifier, sources };
}

/** Read private parameters XML (version 2). */
export function parsePrivateParametersXml(xml: string): PrivateParameters {
  const s = new Seq(root(xml, 'conf'), 'private parameters');
  const instanceIdentifier = s.text('instanceIdentifier');
  const configurationAnchors = s.many('configurationAnchor').map((a) => readAnchor(a, 'configurationAnchor'));
  const m = new Seq(s.one('managementService'), 'managementService');
  const authCertRegServiceAddress = m.text('authCertRegServiceAddress');
  const cert = m.optText('authCertRegServiceCert');
  const managementRequestServiceProviderId = readClientId(
    m.one('managementRequestServiceProviderId'),
    'managementRequestServiceProviderId',
  );
  m.end();
  const timeStampingIntervalSeconds = int(
    s.text('timeStampingIntervalSeconds'),
    'timeStampingIntervalSeconds',
  );
  s.end();
  return {
    instanceIdentifier,
    configurationAnchors,
    managementService: {
      authCertRegServiceAddress,
      ...(cert === undefined ? {} : { authCertRegServiceCert: b64(cert, 'authCertRegServiceCert') }),
      managementRequestServiceProviderId,
    },
    timeStampingIntervalSeconds,
  };
}

/** Read a configuration anchor file (Annex E). */
export function parseConfigurationAnchorXml(xml: string): ConfigurationAnchor {
  return readAnchor(root(xml, 'configurationAnchor'), 'configurationAnchor');
}
