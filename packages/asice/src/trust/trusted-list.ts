/**
 * Reading an EU trusted list (ETSI TS 119 612, the format of EE_T.xml and the LOTL): every
 * TSPService with a type riik uses, its certificates (ServiceDigitalIdentity), its status history
 * (current ServiceInformation plus ServiceHistoryInstance entries) and the qualification
 * extensions libdigidocpp reads to decide whether a signer certificate is qualified.
 *
 * The list's own XML signature is not verified here: a list given to riik as a file is trusted the
 * way a PEM file in the trust directory is, by the operator who put it there. Fetching lists over
 * the network (and then checking their signature against the scheme operator's certificate) is
 * not something riik does.
 */
import type { XmlElement } from '../xml/dom.js';
import { Certificate, type KeyUsageName } from '@riik/pki';
import { AsiceError } from '../errors.js';
import { decodeBase64Strict } from '../xml/base64.js';
import { childrenNamed, elementChildren, isNamed, textOnly } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import type { Qualification, ServiceStatusPeriod, TrustRole, TrustService } from './trust-store.js';
import { TrustStore } from './trust-store.js';

export const TSL_NS = 'http://uri.etsi.org/02231/v2#';
const ECC_NS = 'http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#';
const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';

const SVCTYPE = 'http://uri.etsi.org/TrstSvc/Svctype/';

/** Service types riik uses, the roles they give, and whether they are qualified services. */
const SERVICE_TYPES: Record<string, { roles: TrustRole[]; qualified: boolean }> = {
  'CA/QC': { roles: ['ca', 'ocsp'], qualified: true },
  'CA/PKC': { roles: ['ca', 'ocsp'], qualified: false },
  'Certstatus/OCSP/QC': { roles: ['ocsp'], qualified: true },
  'Certstatus/OCSP': { roles: ['ocsp'], qualified: false },
  'TSA/QTST': { roles: ['tsa'], qualified: true },
  'TSA/TSS-QC': { roles: ['tsa'], qualified: true },
  'TSA/TSS-AdESQCandQES': { roles: ['tsa'], qualified: true },
  TSA: { roles: ['tsa'], qualified: false },
};

/** Statuses under which a service is trusted (TS 119 612 v1 and v2 names). */
const GRANTED = new Set([
  'undersupervision',
  'supervisionincessation',
  'accredited',
  'setbynationallaw',
  'granted',
  'recognisedatnationallevel',
]);

const KEY_USAGE_BITS: Record<string, KeyUsageName> = {
  digitalSignature: 'digitalSignature',
  nonRepudiation: 'nonRepudiation',
  contentCommitment: 'nonRepudiation',
  keyEncipherment: 'keyEncipherment',
  dataEncipherment: 'dataEncipherment',
  keyAgreement: 'keyAgreement',
  keyCertSign: 'keyCertSign',
  crlSign: 'cRLSign',
  encipherOnly: 'encipherOnly',
  decipherOnly: 'decipherOnly',
};

function bad(message: string, cause?: unknown): AsiceError {
  return new AsiceError('TRUST_LIST_MALFORMED', message, cause === undefined ? undefined : { cause });
}

function child(parent: XmlElement, name: string, ns = TSL_NS): XmlElement | undefined {
  return childrenNamed(parent, ns, name)[0];
}

function text(el: XmlElement | undefined): string | undefined {
  const t = el && textOnly(el);
  return t === undefined ? undefined : t.trim();
}

function date(el: XmlElement | undefined, what: string): Date {
  const value = text(el);
  const d = value ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw bad(`${what} is not a date`);
  return d;
}

/** Parse a trusted list into trust services (services of other types are skipped). */
export function parseTrustedList(xml: Uint8Array): TrustService[] {
  const root = parseXml(xml).documentElement;
  if (!root || !isNamed(root, TSL_NS, 'TrustServiceStatusList'))
    throw bad('not a TrustServiceStatusList (ETSI TS 119 612)');
  const services: TrustService[] = [];
  const providers = child(root, 'TrustServiceProviderList');
  for (const provider of providers ? childrenNamed(providers, TSL_NS, 'TrustServiceProvider') : []) {
    const list = child(provider, 'TSPServices');
    for (const service of list ? childrenNamed(list, TSL_NS, 'TSPService') : []) {
      const parsed = parseService(service);
      if (parsed) services.push(parsed);
    }
  }
  return services;
}

export function trustStoreFromTrustedList(xml: Uint8Array): TrustStore {
  return new TrustStore(parseTrustedList(xml));
}

function parseService(service: XmlElement): TrustService | undefined {
  const info = child(service, 'ServiceInformation');
  if (!info) throw bad('TSPService without ServiceInformation');
  const typeUri = text(child(info, 'ServiceTypeIdentifier')) ?? '';
  const kind = typeUri.startsWith(SVCTYPE) ? SERVICE_TYPES[typeUri.slice(SVCTYPE.length)] : undefined;
  if (!kind) return undefined;
  const name = text(child(child(info, 'ServiceName') ?? info, 'Name')) ?? typeUri;
  const instances = [info];
  const history = child(service, 'ServiceHistory');
  if (history) instances.push(...childrenNamed(history, TSL_NS, 'ServiceHistoryInstance'));
  const certificates: Certificate[] = [];
  const periods: ServiceStatusPeriod[] = [];
  for (const instance of instances) {
    for (const cert of digitalIdentities(instance)) {
      if (!certificates.some((c) => c.equals(cert))) certificates.push(cert);
    }
    const status = text(child(instance, 'ServiceStatus')) ?? '';
    periods.push({
      from: date(child(instance, 'StatusStartingTime'), 'StatusStartingTime'),
      trusted: GRANTED.has(status.slice(status.lastIndexOf('/') + 1)),
      qualifications: qualifications(instance),
    });
  }
  periods.sort((a, b) => a.from.getTime() - b.from.getTime());
  return {
    name,
    type: typeUri,
    roles: new Set(kind.roles),
    qualifiedType: kind.qualified,
    certificates,
    history: periods,
  };
}

function digitalIdentities(instance: XmlElement): Certificate[] {
  const identity = child(instance, 'ServiceDigitalIdentity');
  const out: Certificate[] = [];
  for (const id of identity ? childrenNamed(identity, TSL_NS, 'DigitalId') : []) {
    const b64 = text(child(id, 'X509Certificate'));
    if (b64 === undefined) continue;
    const der = decodeBase64Strict(b64);
    if (!der) throw bad('X509Certificate is not base64');
    try {
      out.push(Certificate.fromDer(der));
    } catch (err) {
      throw bad('X509Certificate is not a certificate', err);
    }
  }
  return out;
}

function qualifications(instance: XmlElement): Qualification[] {
  const extensions = child(instance, 'ServiceInformationExtensions');
  const out: Qualification[] = [];
  for (const extension of extensions ? childrenNamed(extensions, TSL_NS, 'Extension') : []) {
    const q = child(extension, 'Qualifications', ECC_NS);
    for (const element of q ? childrenNamed(q, ECC_NS, 'QualificationElement') : []) {
      const qualifiersEl = child(element, 'Qualifiers', ECC_NS);
      const qualifiers = (qualifiersEl ? childrenNamed(qualifiersEl, ECC_NS, 'Qualifier') : [])
        .map((el) => el.getAttribute('uri') ?? '')
        .map((uri) => uri.slice(uri.lastIndexOf('/') + 1))
        .filter((s) => s !== '');
      const criteria = child(element, 'CriteriaList', ECC_NS);
      const assert = criteria?.getAttribute('assert');
      const keyUsage: Array<Partial<Record<KeyUsageName, boolean>>> = [];
      const policySets: string[][] = [];
      for (const c of criteria ? elementChildren(criteria) : []) {
        if (isNamed(c, ECC_NS, 'KeyUsage')) {
          const bits: Partial<Record<KeyUsageName, boolean>> = {};
          for (const bit of childrenNamed(c, ECC_NS, 'KeyUsageBit')) {
            const usage = KEY_USAGE_BITS[bit.getAttribute('name') ?? ''];
            if (usage) bits[usage] = text(bit) === 'true';
          }
          keyUsage.push(bits);
        } else if (isNamed(c, ECC_NS, 'PolicySet')) {
          policySets.push(
            childrenNamed(c, ECC_NS, 'PolicyIdentifier')
              .map((p) => text(child(p, 'Identifier', XADES_NS)) ?? '')
              .map((id) => id.replace(/^urn:oid:/i, ''))
              .filter((id) => id !== ''),
          );
        }
      }
      out.push({
        qualifiers,
        assert: assert === 'all' || assert === 'none' ? assert : 'atLeastOne',
        keyUsage,
        policySets,
      });
    }
  }
  return out;
}
