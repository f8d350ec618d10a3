/**
 * Every container of the DigiDoc conformance corpus (../shared/test-data/digidoc), validated with
 * the full PKI checks, against the verdicts the official test suites assert (expected.json).
 * Run under two trust configurations: the trust directory as `riik verify --trust` reads it
 * (PEM files and the EE_T.xml trusted list) and the trusted list alone plus the Latvian CA that
 * digidoc4j's tests add — the DigiDoc way. Validation time is now, as upstream validates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Certificate } from '@riik/pki';
import { readTestJson, tempDir, testDataDir } from '@riik/testing';
import {
  loadTrustDirectory,
  PkiValidator,
  trustStoreFromTrustedList,
  TrustStore,
  validateContainer,
  type ContainerValidationResult,
} from '../src/index.js';

interface Expectation {
  file: string;
  expected: 'VALID' | 'INVALID' | 'INDETERMINATE' | 'OPEN_ERROR' | 'UNSUPPORTED';
}

const corpus = readTestJson<Expectation[]>('digidoc', 'expected.json');
const dir = testDataDir('digidoc');
const trustDir = join(dir, 'trust');
const name = (e: Expectation): string => e.file.replace(/^containers\//, '');

const configurations = {
  'trust directory': () => loadTrustDirectory(trustDir),
  'trusted list': () =>
    trustStoreFromTrustedList(readFileSync(join(trustDir, 'EE_T.xml'))).concat(
      TrustStore.fromCertificates([
        Certificate.fromPem(readFileSync(join(trustDir, 'ca-DEMO_LV_eID_ICA_2021.pem'), 'utf8')),
      ]),
    ),
};

function codesOf(r: ContainerValidationResult): string[] {
  return [
    ...r.containerFindings,
    ...r.signatures.flatMap((s) => s.findings),
    ...r.timeStampTokens.flatMap((t) => t.findings),
  ].map((f) => f.code);
}

for (const [label, load] of Object.entries(configurations)) {
  describe(`DigiDoc corpus with PKI checks (${label})`, () => {
    const pki = new PkiValidator(load());
    const results = new Map<string, ContainerValidationResult>();
    const result = async (file: string): Promise<ContainerValidationResult> => {
      let r = results.get(file);
      if (!r) {
        r = await validateContainer({ path: join(dir, 'containers', file) }, { pki });
        results.set(file, r);
      }
      return r;
    };

    it('has all 76 containers', () => expect(corpus).toHaveLength(76));

    it.each(corpus.map((e) => [name(e), e] as const))('%s', async (file, e) => {
      const r = await result(file);
      expect(r.verdict, JSON.stringify({ codes: codesOf(r), error: r.error })).toBe(e.expected);
      expect(r.complete).toBe(true);
    });

    it('gives the reasons the official validators give', async () => {
      const codes = async (file: string) => codesOf(await result(file));
      // OCSP 15 min 6 s after the time-stamp: valid with a warning
      expect(await codes('EE_LT_sig_OCSP_15m6s_after_TS.asice')).toEqual(['OCSP_LATE']);
      // 44 h is INVALID only for certificates that can be suspended (Estonian); Latvian: a warning
      expect(await codes('latvian_LT_signature_with_44h_difference_between_TS_and_OCSP.asice')).toEqual([
        'OCSP_LATE',
      ]);
      // an AIA responder certificate that expired before the response was produced
      expect(await codes('esteid2018signerAiaOcspLT.asice')).toEqual(['OCSP_RESPONDER_UNTRUSTED']);
      expect(await codes('esteid2018signerAiaOcspLTA.asice')).toEqual(['OCSP_RESPONDER_UNTRUSTED']);
      // time-stamps by TSAs outside the trust configuration
      expect(await codes('TS-08_23634_TS_OCSP_before_TS.asice')).toContain('TIMESTAMP_UNTRUSTED');
      expect(await codes('two_signatures.bdoc')).toContain('TIMESTAMP_UNTRUSTED');
      // a time-stamp over something else than the SignatureValue
      expect(await codes('TS-02_23634_TS_wrong_SignatureValue.asice')).toContain(
        'TIMESTAMP_IMPRINT_MISMATCH',
      );
      expect(await codes('1xTST-valid-bdoc-data-file-hash-failure-in-tst.asics')).toEqual([
        'TIMESTAMP_IMPRINT_MISMATCH',
      ]);
      // the best-signature-time is the time-stamp's: certificates expired since stay valid
      const tsl = await result('tsl.asice');
      expect(tsl.signatures[0]?.bestSignatureTime?.toISOString()).toBe('2016-11-28T13:46:43.000Z');
      expect(tsl.signatures[0]?.findings).toEqual([]);
    });
  });
}

describe('trust configuration', () => {
  it('reads every service of the test trusted list with its role and history', () => {
    const store = trustStoreFromTrustedList(readFileSync(join(trustDir, 'EE_T.xml')));
    const byName = (n: string) => store.services.find((s) => s.name.startsWith(n))!;
    expect(store.services.length).toBeGreaterThanOrEqual(30);
    expect([...byName('TEST of ESTEID2018').roles].sort()).toEqual(['ca', 'ocsp']);
    expect([...byName('DEMO SK TIMESTAMPING AUTHORITY 2023E').roles]).toEqual(['tsa']);
    const sk2011 = byName('TEST of ESTEID-SK 2011');
    expect(sk2011.history.map((p) => [p.from.toISOString(), p.trusted])).toEqual([
      ['2011-03-08T22:00:00.000Z', true],
      ['2016-06-30T22:00:00.000Z', true],
    ]);
    expect(sk2011.history[1]?.qualifications.flatMap((q) => q.qualifiers)).toEqual([
      'QCWithQSCD',
      'QCStatement',
    ]);
    // a service is not trusted before its first status
    const tsa2020 = byName('DEMO SK TIMESTAMPING AUTHORITY 2020');
    expect(store.anchors('tsa', new Date('2020-11-30T20:59:59Z')).some((a) => a.service === tsa2020)).toBe(
      false,
    );
    expect(store.anchors('tsa', new Date('2020-12-01T00:00:00Z')).some((a) => a.service === tsa2020)).toBe(
      true,
    );
    // TSAs are not certification authorities for signers
    expect(store.anchors('ca', new Date()).some((a) => a.service === tsa2020)).toBe(false);
  });

  it('refuses what is not a trusted list or a certificate with coded errors', () => {
    for (const xml of [
      '<x/>',
      '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList><TrustServiceProvider><TSPServices><TSPService/></TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>',
      `<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList><TrustServiceProvider><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceDigitalIdentity><DigitalId><X509Certificate>bm90IGEgY2VydA==</X509Certificate></DigitalId></ServiceDigitalIdentity><ServiceStatus>granted</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`,
      `<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList><TrustServiceProvider><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceStatus>granted</ServiceStatus><StatusStartingTime>yesterday</StatusStartingTime></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`,
    ]) {
      expect(() => trustStoreFromTrustedList(Buffer.from(xml)), xml.slice(0, 40)).toThrow(
        expect.objectContaining({ code: 'TRUST_LIST_MALFORMED' }),
      );
    }
    expect(() => trustStoreFromTrustedList(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>'))).toThrow(
      expect.objectContaining({ code: 'XML_FORBIDDEN_DTD' }),
    );
    expect(() => loadTrustDirectory(join(dir, 'no-such-directory'))).toThrow(
      expect.objectContaining({ code: 'TRUST_CONFIG_INVALID' }),
    );
    const scratch = tempDir('riik-trust-');
    try {
      writeFileSync(join(scratch.path, 'notes.txt'), 'ignored'); // not trust material
      writeFileSync(
        join(scratch.path, 'broken.pem'),
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      );
      expect(() => loadTrustDirectory(scratch.path)).toThrow(
        expect.objectContaining({ code: 'TRUST_CONFIG_INVALID' }),
      );
      writeFileSync(
        join(scratch.path, 'broken.pem'),
        readFileSync(join(trustDir, 'ca-TEST_of_ESTEID2018.pem')),
      );
      writeFileSync(join(scratch.path, 'garbage.der'), Buffer.from([0x30, 0x82, 0xff]));
      expect(() => loadTrustDirectory(scratch.path)).toThrow(
        expect.objectContaining({ code: 'TRUST_CONFIG_INVALID' }),
      );
      writeFileSync(
        join(scratch.path, 'garbage.der'),
        readFileSync(join(trustDir, 'ca-TEST_of_ESTEID2018.pem')),
      );
      expect(loadTrustDirectory(scratch.path).certificates).toHaveLength(2);
    } finally {
      scratch.remove();
    }
  });
});
