import { beforeAll, describe, expect, it } from 'vitest';
import {
  authCertHash,
  buildConfigurationAnchorXml,
  buildPrivateParametersXml,
  buildSharedParametersXml,
  buildSignedDirectory,
  checkDirectoryEntry,
  ContentIdentifier,
  directoryEntry,
  GCONF_VERSION,
  GlobalConf,
  GlobalGroupId,
  parseConfigurationAnchorXml,
  parsePrivateParametersXml,
  parseSharedParametersXml,
  parseSignedDirectory,
  SecurityServerId,
  XRoadClientId,
  type SharedParameters,
} from '../src/index.js';
import { createOrgPki, type MemberKeys, type OrgPki } from './org-pki.js';

let pki: OrgPki;
let rr: MemberKeys;
let shared: SharedParameters;

const id = (s: string) => XRoadClientId.parse(s);

beforeAll(async () => {
  pki = await createOrgPki();
  rr = await pki.member('70000562', 'ss-rr');
  shared = {
    instanceIdentifier: 'EE-DEV',
    approvedCas: [
      {
        name: 'riik ORG CA',
        authenticationOnly: false,
        topCa: { cert: pki.root.certificate.der, ocsp: [] },
        intermediateCas: [
          {
            cert: pki.ca.certificate.der,
            ocsp: [{ url: 'http://127.0.0.1:8701/ocsp', cert: pki.responder.certificate.der }],
          },
        ],
        certificateProfileInfo: 'riik.ee',
      },
    ],
    approvedTsas: [
      { name: 'riik TSA', url: 'http://127.0.0.1:8702/tsa', cert: pki.responder.certificate.der },
    ],
    members: [
      {
        memberClass: { code: 'GOV', description: 'Government' },
        memberCode: '70000562',
        name: 'Ministry & <Interior>',
        subsystems: ['rr'],
      },
      {
        memberClass: { code: 'GOV', description: 'Government' },
        memberCode: '70000349',
        name: 'Tax Board',
        subsystems: ['emta'],
      },
    ],
    securityServers: [
      {
        owner: id('EE-DEV/GOV/70000562'),
        serverCode: 'ss-rr',
        address: '127.0.0.1:8711',
        authCertHashes: [authCertHash(rr.auth)],
        clients: [id('EE-DEV/GOV/70000562/rr')],
      },
    ],
    globalGroups: [
      { groupCode: 'security-server-owners', description: 'owners', members: [id('EE-DEV/GOV/70000562')] },
    ],
    globalSettings: {
      memberClasses: [{ code: 'GOV', description: 'Government' }],
      ocspFreshnessSeconds: 600,
    },
  };
});

describe('shared parameters (PR-GCONF Annex B)', () => {
  it('round-trips through XML', () => {
    const xml = buildSharedParametersXml(shared);
    expect(xml).toContain(
      '<tns:conf xmlns:id="http://x-road.eu/xsd/identifiers" xmlns:tns="http://x-road.eu/xsd/xroad.xsd">',
    );
    expect(xml).toContain('Ministry &amp; &lt;Interior&gt;');
    const back = parseSharedParametersXml(xml);
    expect(back.instanceIdentifier).toBe('EE-DEV');
    expect(back.members.map((m) => m.name)).toEqual(['Ministry & <Interior>', 'Tax Board']);
    expect(back.securityServers[0]!.owner.encode()).toBe('EE-DEV/GOV/70000562');
    expect(back.securityServers[0]!.clients.map((c) => c.encode())).toEqual(['EE-DEV/GOV/70000562/rr']);
    expect(back.globalGroups[0]!.members[0]!.encode()).toBe('EE-DEV/GOV/70000562');
    expect(back.approvedCas[0]!.intermediateCas[0]!.ocsp[0]!.url).toBe('http://127.0.0.1:8701/ocsp');
    expect(back.globalSettings.ocspFreshnessSeconds).toBe(600);
    expect(buildSharedParametersXml(back)).toBe(xml);
  });

  it('reads elements in schema order only and refuses unknown ones', () => {
    const xml = buildSharedParametersXml(shared);
    expect(() =>
      parseSharedParametersXml(xml.replace('<instanceIdentifier>', '<bogus/><instanceIdentifier>')),
    ).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => parseSharedParametersXml(xml.replace(/<globalSettings>.*<\/globalSettings>/, ''))).toThrow(
      expect.objectContaining({ code: 'MALFORMED' }),
    );
    expect(() => parseSharedParametersXml(xml.replace('<owner>ID0</owner>', '<owner>ID99</owner>'))).toThrow(
      expect.objectContaining({ code: 'MALFORMED' }),
    );
  });

  it('answers hostile input with MALFORMED', () => {
    for (const bad of [
      '',
      'x',
      '<conf/>',
      '<!DOCTYPE a [<!ENTITY b "c">]><a/>',
      buildSharedParametersXml(shared).slice(0, 200),
    ])
      expect(() => parseSharedParametersXml(bad)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });
});

describe('private parameters and anchors (Annexes C, E)', () => {
  it('round-trip', () => {
    const anchor = {
      generatedAt: new Date('2026-01-15T10:00:00.000Z'),
      instanceIdentifier: 'EE-DEV',
      sources: [
        { downloadUrl: 'http://127.0.0.1:8703/internalconf', verificationCerts: [pki.root.certificate.der] },
      ],
    };
    const anchorXml = buildConfigurationAnchorXml(anchor);
    expect(anchorXml).toContain(
      '<tns:configurationAnchor xmlns:tns="http://x-road.eu/xsd/xroad.xsd"><generatedAt>',
    );
    expect(parseConfigurationAnchorXml(anchorXml)).toEqual(anchor);
    const priv = {
      instanceIdentifier: 'EE-DEV',
      configurationAnchors: [],
      managementService: {
        authCertRegServiceAddress: 'http://127.0.0.1:8703/managementservice',
        managementRequestServiceProviderId: id('EE-DEV/GOV/70000000/management'),
      },
      timeStampingIntervalSeconds: 60,
    };
    expect(parsePrivateParametersXml(buildPrivateParametersXml(priv))).toEqual(priv);
  });
});

describe('signed directory (PR-GCONF §2.3-2.4)', () => {
  const files = () => {
    const privXml = Buffer.from('<private/>');
    const sharedXml = Buffer.from(buildSharedParametersXml(shared));
    return {
      privXml,
      sharedXml,
      entries: [
        directoryEntry(
          ContentIdentifier.privateParameters,
          'EE-DEV',
          '/V2/1/private-params.xml',
          privXml,
          'private-params.xml',
        ),
        directoryEntry(
          ContentIdentifier.sharedParameters,
          'EE-DEV',
          '/V2/1/shared-params.xml',
          sharedXml,
          'shared-params.xml',
        ),
      ],
    };
  };

  it('is signed by the configuration source and verifies with the anchor certificate', async () => {
    const { entries, sharedXml } = files();
    const expireDate = new Date('2026-01-15T10:10:00Z');
    const signed = await buildSignedDirectory(
      { expireDate, version: GCONF_VERSION, entries },
      rr.signKey,
      rr.sign,
    );
    expect(signed.contentType).toMatch(/^multipart\/related; charset=UTF-8; boundary=/);
    const text = signed.body.toString();
    expect(text).toContain('Expire-date: 2026-01-15T10:10:00Z');
    expect(text).toContain('Content-identifier: SHARED-PARAMETERS; instance="EE-DEV"');
    expect(text).toContain('Hash-algorithm-id: http://www.w3.org/2001/04/xmlenc#sha512');
    const dir = await parseSignedDirectory(signed.contentType, signed.body, [pki.ca.certificate, rr.sign]);
    expect(dir.expireDate.toISOString()).toBe(expireDate.toISOString());
    expect(dir.version).toBe(2);
    expect(dir.entries.map((e) => e.contentIdentifier)).toEqual(['PRIVATE-PARAMETERS', 'SHARED-PARAMETERS']);
    checkDirectoryEntry(dir.entries[1]!, sharedXml);
    expect(() => checkDirectoryEntry(dir.entries[1]!, Buffer.from('changed'))).toThrow(
      expect.objectContaining({ code: 'HASH_MISMATCH' }),
    );
  });

  it('refuses a tampered directory and an unknown signer', async () => {
    const { entries } = files();
    const signed = await buildSignedDirectory(
      { expireDate: new Date(), version: 2, entries },
      rr.signKey,
      rr.sign,
    );
    const tampered = Buffer.from(
      signed.body.toString().replace(/Expire-date: \S+/, 'Expire-date: 2099-01-01T00:00:00Z'),
    );
    await expect(parseSignedDirectory(signed.contentType, tampered, [rr.sign])).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
    });
    const other = await pki.member('1');
    await expect(parseSignedDirectory(signed.contentType, signed.body, [other.sign])).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
    });
  });

  it('reads the header-only entry written as in the specification example', async () => {
    // PR-GCONF Annex A.2 puts the next delimiter right after the blank line ending the headers.
    const { entries } = files();
    const signed = await buildSignedDirectory(
      { expireDate: new Date(), version: 2, entries },
      rr.signKey,
      rr.sign,
    );
    expect(signed.body.toString()).toMatch(/Version: 2\r\n\r\n\r\n--/);
  });

  it('answers garbage with MALFORMED', async () => {
    for (const [ct, body] of [
      ['text/plain', 'x'],
      ['multipart/related; boundary=abc', 'garbage'],
      ['multipart/related; boundary=abc', '--abc\r\ncontent-type: text/plain\r\n\r\nx\r\n--abc--'],
    ] as const)
      await expect(parseSignedDirectory(ct, Buffer.from(body), [rr.sign])).rejects.toMatchObject({
        code: 'MALFORMED',
      });
  });
});

describe('GlobalConf queries', () => {
  it('finds servers by authentication certificate and client, and group membership', () => {
    const conf = new GlobalConf(shared, undefined, new Date('2026-01-15T10:10:00Z'), new Date());
    const server = conf.serverByAuthCert(rr.auth)!;
    expect(server.id.encode()).toBe('EE-DEV/GOV/70000562/ss-rr');
    expect(server.address).toBe('127.0.0.1:8711');
    expect(conf.serversOf(id('EE-DEV/GOV/70000562/rr')).map((s) => s.id.serverCode)).toEqual(['ss-rr']);
    expect(
      conf.isClientOf(id('EE-DEV/GOV/70000349/emta'), SecurityServerId.parse('EE-DEV/GOV/70000562/ss-rr')),
    ).toBe(false);
    expect(conf.serverByAuthCert(rr.sign)).toBeUndefined();
    expect(
      conf.isInGlobalGroup(id('EE-DEV/GOV/70000562'), GlobalGroupId.parse('EE-DEV/security-server-owners')),
    ).toBe(true);
    expect(
      conf.isInGlobalGroup(id('EE-DEV/GOV/70000349'), GlobalGroupId.parse('EE-DEV/security-server-owners')),
    ).toBe(false);
    expect(conf.hasClient(id('EE-DEV/GOV/70000349/emta'))).toBe(true);
    expect(conf.hasClient(id('EE-DEV/GOV/70000349/nope'))).toBe(false);
    expect(conf.isExpired(new Date('2026-01-15T10:09:59Z'))).toBe(false);
    expect(conf.isExpired(new Date('2026-01-15T10:10:00Z'))).toBe(true);
    expect(conf.caCertificates()).toHaveLength(2);
  });
});
