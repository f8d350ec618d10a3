/**
 * Every container of the DigiDoc conformance corpus (../shared/test-data/digidoc), validated
 * without PKI checks, against the official verdicts in expected.json.
 *
 * What this layer decides must match exactly: OPEN_ERROR, UNSUPPORTED, and every verdict caused by
 * container structure, references, digests, signing-certificate identification or the
 * SignatureValue. What needs the PKI checks (certificate chains, OCSP, time-stamp tokens) stays
 * INDETERMINATE with PKI_CHECKS_NOT_PERFORMED; for those the test checks that nothing this layer
 * found contradicts the official verdict, and PENDING_ON_PKI below lists the containers whose
 * non-VALID verdict only the PKI checks can reach.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTestJson, testDataDir } from '@riik/testing';
import { messageImprint } from './tst-imprint.js';
import {
  containerVerdict,
  type PkiChecks,
  type TimeStampedData,
  indicationOf,
  validateContainer,
  type ContainerValidationResult,
  type ContainerVerdict,
  type Finding,
} from '../src/index.js';

interface Expectation {
  file: string;
  expected: 'VALID' | 'INVALID' | 'INDETERMINATE' | 'OPEN_ERROR' | 'UNSUPPORTED';
  reason: string;
}

const corpus = readTestJson<Expectation[]>('digidoc', 'expected.json');
const dir = testDataDir('digidoc');

/** Containers whose official verdict is not VALID for a reason only the PKI checks can see. */
const PENDING_ON_PKI: Record<string, string> = {
  'TS-02_23634_TS_wrong_SignatureValue.asice': 'signature time-stamp imprint does not match (INVALID)',
  '1xTST-valid-bdoc-data-file-hash-failure-in-tst.asics':
    'ASiC-S time-stamp imprint does not match (INVALID)',
  'test-invalidts.asics': 'ASiC-S time-stamp token is over another file (INVALID)',
  'TS-08_23634_TS_OCSP_before_TS.asice': 'OCSP produced before the time-stamp, TSA untrusted (INDETERMINATE)',
  'esteid2018signerAiaOcspLT.asice': 'OCSP from an expired AIA responder (INDETERMINATE)',
  'esteid2018signerAiaOcspLTA.asice': 'OCSP from an expired AIA responder (INDETERMINATE)',
  'two_signatures.bdoc': 'time-stamps from a TSA outside the test trusted list (INDETERMINATE)',
};

const PENDING = 'PKI_CHECKS_NOT_PERFORMED';
const withoutPending = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => f.code !== PENDING);

/** The verdict this layer reaches on its own: the pending PKI step taken out. */
function coreVerdict(r: ContainerValidationResult): ContainerVerdict {
  if (r.verdict === 'OPEN_ERROR') return r.verdict;
  return containerVerdict(
    r.containerFindings,
    r.signatures.map((s) => ({ ...s, indication: indicationOf(withoutPending(s.findings)) })),
    r.timeStampTokens.map((t) => ({ ...t, indication: indicationOf(withoutPending(t.findings)) })),
  );
}

const name = (e: Expectation): string => e.file.replace(/^containers\//, '');

describe('DigiDoc corpus', () => {
  it('has all 76 containers', () => expect(corpus).toHaveLength(76));

  const results = new Map<string, ContainerValidationResult>();
  const result = async (e: Expectation): Promise<ContainerValidationResult> => {
    let r = results.get(e.file);
    if (!r) {
      r = await validateContainer({ path: join(dir, e.file) });
      results.set(e.file, r);
    }
    return r;
  };

  it.each(corpus.map((e) => [name(e), e] as const))('%s', async (_name, e) => {
    const r = await result(e);
    const core = coreVerdict(r);
    const detail = JSON.stringify({
      verdict: r.verdict,
      core,
      error: r.error,
      container: r.containerFindings.map((f) => f.code),
      signatures: r.signatures.map((s) => s.findings.map((f) => f.code)),
      tokens: r.timeStampTokens.map((t) => t.findings.map((f) => f.code)),
    });
    if (e.expected === 'OPEN_ERROR' || e.expected === 'UNSUPPORTED') {
      expect(r.verdict, detail).toBe(e.expected);
      return;
    }
    if (core === 'VALID') {
      // nothing this layer checks objects; the rest is up to the PKI checks
      expect(r.verdict, detail).toBe('INDETERMINATE');
      expect(r.complete).toBe(false);
      if (e.expected !== 'VALID') expect(Object.keys(PENDING_ON_PKI), detail).toContain(name(e));
      else expect(Object.keys(PENDING_ON_PKI)).not.toContain(name(e));
      // every signature's certificate was identified and its SignatureValue verified
      for (const s of r.signatures) {
        expect(s.signer, detail).toBeDefined();
        expect(
          withoutPending(s.findings).filter(
            (f) => f.severity === 'invalid' || f.severity === 'indeterminate',
          ),
        ).toEqual([]);
      }
    } else {
      // decided here: it must be the official verdict
      expect(core, detail).toBe(e.expected);
      expect(r.verdict, detail).toBe(e.expected);
      expect(Object.keys(PENDING_ON_PKI)).not.toContain(name(e));
    }
  });

  it('lists as pending only containers that are pending', async () => {
    for (const file of Object.keys(PENDING_ON_PKI)) {
      const e = corpus.find((c) => name(c) === file)!;
      expect(e, file).toBeDefined();
      expect(coreVerdict(await result(e)), file).toBe('VALID');
    }
  });

  it('finds the cause the official validators report where this layer decides', async () => {
    const codes = async (file: string): Promise<string[]> => {
      const r = await result(corpus.find((c) => name(c) === file)!);
      return [
        ...r.containerFindings,
        ...r.signatures.flatMap((s) => s.findings),
        ...r.timeStampTokens.flatMap((t) => t.findings),
      ].map((f) => f.code);
    };
    expect(await codes('forged_lt.asice')).toContain('SIGNATURE_VALUE_INVALID');
    expect(await codes('ocsp_cert_is_not_in_tsl.bdoc')).toContain('SIGNED_PROPERTIES_DIGEST_MISMATCH');
    expect(await codes('multiple_signed_properties.asice')).toContain('MULTIPLE_SIGNED_PROPERTIES');
    expect(await codes('filename_mismatch_second_signature.asice')).toEqual(
      expect.arrayContaining([
        'MANIFEST_FILE_NOT_SIGNED',
        'DATA_FILE_NOT_SIGNED',
        'SIGNED_PROPERTIES_DIGEST_MISMATCH',
      ]),
    );
    expect(await codes('KS-15_signatures_xml_topelt.bdoc')).toContain('DUPLICATE_SIGNATURE_FILE');
    expect(await codes('KS-18_lisatudfilemanifest.4.asice')).toEqual(
      expect.arrayContaining(['MANIFEST_FILE_NOT_SIGNED', 'DATA_FILE_NOT_SIGNED']),
    );
    expect(await codes('asics-2-signatures-in-different-files.asics')).toContain(
      'ASICS_MULTIPLE_SIGNATURE_FILES',
    );
    expect(await codes('M1n1_Testaouo_.txt-TS-d4j.bdoc')).toContain('SIGNED_DATA_NOT_FOUND');
    expect(await codes('space-in-datafile-name-encoded-as-plus-in-signature.asice')).toContain(
      'SIGNED_DATA_NOT_FOUND',
    );
    // '+' in a URI is a plus, and %2B is one too
    expect(await codes('plus-in-datafile-name-unencoded-in-signature.asice')).toEqual([PENDING]);
    expect(await codes('plus-in-datafile-name-percent-encoded-in-signature.asice')).toEqual([PENDING]);
    // ASiCArchiveManifest URIs: '%20' and '+' that do not name the file leave that token INDETERMINATE
    expect(await codes('2xTST-datafile-with-pct20-unencoded-in-archive-manifest.asics')).toContain(
      'ARCHIVE_MANIFEST_REFERENCE_NOT_FOUND',
    );
    expect(await codes('2xTST-datafile-with-pct-unencoded-in-archive-manifest.asics')).not.toContain(
      'ARCHIVE_MANIFEST_REFERENCE_NOT_FOUND',
    );
  });

  it('reads the IssuerSerial of every signature as naming its signing certificate', async () => {
    let signatures = 0;
    for (const e of corpus) {
      const r = await result(e);
      for (const s of r.signatures) {
        signatures++;
        expect(
          s.findings.map((f) => f.code),
          `${name(e)} ${s.id}`,
        ).not.toContain('SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH');
      }
    }
    expect(signatures).toBeGreaterThan(40);
  });

  /**
   * The octets this layer hands the PKI checks for every time-stamp, against the messageImprint
   * of the real tokens: SignatureTimeStamp (canonical SignatureValue), ArchiveTimeStamp (EN 319 132-1
   * 5.5.2.2) and ASiC-S tokens (data file or ASiCArchiveManifest). They must match everywhere except
   * where expected.json says the token's imprint is broken.
   */
  it('prepares exactly the octets each real time-stamp token covers', async () => {
    const BROKEN_IMPRINTS = new Set([
      'TS-02_23634_TS_wrong_SignatureValue.asice META-INF/signatures0.xml SignatureTimeStamp',
      // expected.json: "Signature has an invalid timestamp" (its SignatureValue does not verify either)
      'ocsp_cert_is_not_in_tsl.bdoc META-INF/signatures.xml SignatureTimeStamp',
      '1xTST-valid-bdoc-data-file-hash-failure-in-tst.asics META-INF/timestamp.tst',
      '2xTST-valid-bdoc-data-file-1st-tst-invalid-2nd-tst-no-coverage.asics META-INF/timestamp.tst',
      '3xTST-valid-bdoc-data-file-1st-tst-invalid-2nd-tst-no-coverage-3rd-tst-valid.asics META-INF/timestamp.tst',
      'test-invalidts.asics META-INF/timestamp.tst',
    ]);
    const matched: string[] = [];
    const mismatched: string[] = [];
    // digests can be taken only while the PKI checks run (the container is closed afterwards)
    const compare = async (
      label: string,
      token: Uint8Array,
      data: TimeStampedData | undefined,
    ): Promise<void> => {
      expect(data, label).toBeDefined();
      const imprint = messageImprint(token);
      const ours = Buffer.from(await data!.digest(imprint.hash));
      (ours.equals(imprint.digest) ? matched : mismatched).push(label);
    };
    for (const e of corpus) {
      if (e.expected === 'OPEN_ERROR') continue;
      const spy: PkiChecks = {
        checkSignature: async (input) => {
          for (const ts of [...input.signatureTimeStamps, ...input.archiveTimeStamps]) {
            await compare(`${name(e)} ${input.signature.file} ${ts.property.kind}`, ts.token, ts.timeStamped);
          }
          return { findings: [] };
        },
        checkContainerTimeStamp: async (input) => {
          await compare(`${name(e)} ${input.file}`, input.token, input.timeStamped);
          return { findings: [] };
        },
      };
      await validateContainer({ path: join(dir, e.file) }, { pki: spy });
    }
    expect(new Set(mismatched)).toEqual(BROKEN_IMPRINTS);
    expect(matched.filter((l) => l.endsWith('ArchiveTimeStamp')).length).toBe(2);
    expect(matched.length).toBeGreaterThan(40);
  });
});
