/**
 * The hand-written certificate reader (certificate-fields.ts, extension-readers.ts, rdnsOfDer)
 * against the ASN.1 library it stands in for: on every certificate in the test data and on
 * single-byte mutations of some of them, whatever riik reads must be what the library reads,
 * and anything else must be refused with a coded error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate as AsnCertificate,
  CertificatePolicies,
  ExtendedKeyUsage,
  KeyUsage,
  Name,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { QCStatements } from '@peculiar/asn1-x509-qualified';
import { fromPemAll } from '@riik/core';
import { FakeClock, testDataDir } from '@riik/testing';
import { Certificate, nameToString, OID, rdnsOfDer, rdnsOfName } from '../src/index.js';
import { readCertificateFields } from '../src/x509/certificate-fields.js';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readKeyUsageFlags,
  readOidSequence,
  readPolicyIdentifiers,
  readQcStatements,
  readSubjectKeyIdentifier,
} from '../src/x509/extension-readers.js';
import { qcTypeSequence } from '../src/x509/qc.js';
import { createTestPki } from './fixtures.js';
import { unzip } from './zip.js';

const hex = (b: ArrayBuffer | Uint8Array | undefined) =>
  b === undefined ? undefined : Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const der = (value: unknown) => new Uint8Array(AsnConvert.serialize(value));

/** What riik reads from a certificate, in a comparable form. */
function riikView(cert: Certificate) {
  const view = {
    version: cert.version,
    serial: cert.serialHex,
    issuer: hex(cert.issuerDer),
    subject: hex(cert.subjectDer),
    subjectString: cert.subjectString,
    issuerString: cert.issuerString,
    commonNames: cert.subjectValues(OID.commonName),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    spki: hex(cert.spkiDer),
    publicKeyBits: hex(cert.publicKeyBits),
    signatureAlgorithm: cert.signatureAlgorithm,
    extensions: [] as Array<{ id: string; critical: boolean; value: string | undefined }>,
  };
  for (const id of EXTENSION_IDS) {
    const e = cert.extension(id);
    if (e) view.extensions.push({ id, critical: e.critical, value: hex(e.extnValue) });
  }
  return view;
}

const EXTENSION_IDS = [
  OID.keyUsage,
  OID.extKeyUsage,
  OID.authorityKeyIdentifier,
  OID.certificatePolicies,
  OID.qcStatements,
  OID.basicConstraints,
  OID.subjectKeyIdentifier,
];

/** The same through @peculiar/asn1-x509, as riik read every certificate before (Names re-encoded). */
function libraryView(bytes: Uint8Array): ReturnType<typeof riikView> {
  const asn = AsnConvert.parse(bytes, AsnCertificate);
  const tbs = asn.tbsCertificate;
  const extensions: ReturnType<typeof riikView>['extensions'] = [];
  for (const id of EXTENSION_IDS) {
    const e = tbs.extensions?.find((x) => x.extnID === id);
    if (e) extensions.push({ id, critical: e.critical, value: hex(e.extnValue.buffer) });
  }
  return {
    version: tbs.version + 1,
    serial: hex(tbs.serialNumber)!,
    issuer: hex(der(tbs.issuer)),
    subject: hex(der(tbs.subject)),
    subjectString: nameToString(rdnsOfName(tbs.subject)),
    issuerString: nameToString(rdnsOfName(tbs.issuer)),
    commonNames: rdnsOfName(tbs.subject)
      .flat()
      .filter((a) => a.type === OID.commonName)
      .map((a) => a.text),
    notBefore: tbs.validity.notBefore.getTime().toISOString(),
    notAfter: tbs.validity.notAfter.getTime().toISOString(),
    spki: hex(der(tbs.subjectPublicKeyInfo)),
    publicKeyBits: hex(tbs.subjectPublicKeyInfo.subjectPublicKey),
    signatureAlgorithm: asn.signatureAlgorithm.algorithm,
    extensions,
  };
}

/** Each fast extension reader against the library, where the reader answers. */
function expectExtensionsAgree(cert: Certificate): number {
  let answered = 0;
  const value = (id: string) => cert.extension(id)?.extnValue;
  const ku = value(OID.keyUsage);
  const fastKu = ku && readKeyUsageFlags(ku);
  if (ku && fastKu !== undefined) {
    expect(fastKu).toBe(AsnConvert.parse(ku, KeyUsage).toNumber());
    answered++;
  }
  const aki = value(OID.authorityKeyIdentifier);
  const fastAki = aki && readAuthorityKeyIdentifier(aki);
  if (aki && fastAki) {
    expect(hex(fastAki)).toBe(hex(AsnConvert.parse(aki, AuthorityKeyIdentifier).keyIdentifier?.buffer));
    answered++;
  }
  const ski = value(OID.subjectKeyIdentifier);
  const fastSki = ski && readSubjectKeyIdentifier(ski);
  if (ski && fastSki) {
    expect(hex(fastSki)).toBe(hex(AsnConvert.parse(ski, SubjectKeyIdentifier).buffer));
    answered++;
  }
  const bc = value(OID.basicConstraints);
  const fastBc = bc && readBasicConstraints(bc);
  if (bc && fastBc) {
    const library = AsnConvert.parse(bc, BasicConstraints);
    expect(fastBc).toEqual(
      library.pathLenConstraint === undefined
        ? { ca: library.cA }
        : { ca: library.cA, pathLength: library.pathLenConstraint },
    );
    answered++;
  }
  const eku = value(OID.extKeyUsage);
  const fastEku = eku && readOidSequence(eku);
  if (eku && fastEku) {
    expect(fastEku).toEqual([...AsnConvert.parse(eku, ExtendedKeyUsage)]);
    answered++;
  }
  const cp = value(OID.certificatePolicies);
  const fastCp = cp && readPolicyIdentifiers(cp);
  if (cp && fastCp) {
    expect(fastCp).toEqual(AsnConvert.parse(cp, CertificatePolicies).map((p) => p.policyIdentifier));
    answered++;
  }
  const qc = value(OID.qcStatements);
  const fastQc = qc && readQcStatements(qc);
  if (qc && fastQc) {
    const library = AsnConvert.parse(qc, QCStatements);
    expect(fastQc.map((s) => s.statementId)).toEqual(library.map((s) => s.statementId));
    for (const [i, s] of fastQc.entries()) {
      if (s.statementInfo) expect(hex(s.statementInfo)).toBe(hex(library[i]!.statementInfo));
      const types = s.statementInfo && readOidSequence(s.statementInfo);
      if (types) expect(types).toEqual([...AsnConvert.parse(s.statementInfo!, qcTypeSequence())]);
    }
    answered++;
  }
  return answered;
}

/** Every certificate in the test data: trust material, Web eID certificates, and those inside the DigiDoc containers. */
function testDataCertificates(): Uint8Array[] {
  const out = new Map<string, Uint8Array>();
  const add = (d: Uint8Array) => out.set(hex(d)!, d);
  const files = (dir: string) => readdirSync(dir).map((f) => join(dir, f));
  for (const file of [
    ...files(testDataDir('digidoc', 'trust')),
    ...files(testDataDir('webeid', 'certs')),
    ...files(testDataDir('webeid', 'usercerts')),
  ]) {
    if (file.endsWith('.pem')) fromPemAll('CERTIFICATE', readFileSync(file, 'utf8')).forEach(add);
    else if (file.endsWith('.der')) add(new Uint8Array(readFileSync(file)));
  }
  const element = /<(?:\w+:)?(?:X509Certificate|EncapsulatedX509Certificate)[^>]*>([^<]+)</g;
  for (const file of files(testDataDir('digidoc', 'containers'))) {
    let entries: Map<string, Uint8Array>;
    try {
      entries = unzip(readFileSync(file), (name) => name.startsWith('META-INF/') && name.endsWith('.xml'));
    } catch {
      continue; // the corpus has deliberately broken containers
    }
    for (const content of entries.values()) {
      for (const m of Buffer.from(content).toString('utf8').matchAll(element))
        add(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
    }
  }
  return [...out.values()];
}

describe('certificate reader', () => {
  let own: Uint8Array[];
  beforeAll(async () => {
    const pki = await createTestPki(new FakeClock('2026-03-01T12:00:00Z').now);
    const person = await pki.person();
    own = [pki.root.certificate, pki.ca.certificate, person.auth, person.sign].map((c) => c.der);
  });

  it('reads every certificate of the test data as the ASN.1 library does', () => {
    const all = [...testDataCertificates(), ...own];
    expect(all.length).toBeGreaterThan(60);
    let fast = 0;
    let extensions = 0;
    for (const bytes of all) {
      let reference: ReturnType<typeof riikView> | undefined;
      try {
        reference = libraryView(bytes);
      } catch {
        reference = undefined; // the library refuses it: so must riik
      }
      if (!reference) {
        expect(() => riikView(Certificate.fromDer(bytes))).toThrow();
        continue;
      }
      if (readCertificateFields(bytes)) fast++;
      const cert = Certificate.fromDer(bytes);
      expect(riikView(cert)).toEqual(reference);
      extensions += expectExtensionsAgree(cert);
    }
    // the fast path is the one taken, not the fallback
    expect(fast).toBeGreaterThan(all.length * 0.9);
    expect(extensions).toBeGreaterThan(all.length);
  });

  it('on mutated certificates, agrees with the library or refuses with a coded error', () => {
    let agreed = 0;
    const check = (input: Uint8Array) => {
      let cert: Certificate;
      try {
        cert = Certificate.fromDer(input);
      } catch (err) {
        expect(err).toMatchObject({ code: 'MALFORMED_DER' });
        return;
      }
      // what the reader leaves to the library is read as riik always read it
      if (!readCertificateFields(input)) return;
      // whatever the reader accepts, the library accepts and reads the same way
      const reference = libraryView(input);
      let view: ReturnType<typeof riikView>;
      try {
        view = riikView(cert);
      } catch (err) {
        expect(err).toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' }); // a key node:crypto cannot load
        return;
      }
      expect(view).toEqual(reference);
      // where a fast extension reader answers, the library reads the value the same way
      expectExtensionsAgree(cert);
      agreed++;
    };
    const pem = (...path: string[]) =>
      fromPemAll('CERTIFICATE', readFileSync(testDataDir(...path), 'utf8'))[0]!;
    const samples = [
      own[3]!, // riik's own ID-card signing certificate (P-384, QC statements, policies)
      pem('digidoc', 'trust', 'ca-TEST_of_ESTEID-SK_2011.pem'), // RSA, UTCTime, an older profile
    ];
    for (const bytes of samples) {
      for (let i = 0; i < bytes.length; i++) {
        const mutated = new Uint8Array(bytes);
        mutated[i]! ^= [0x01, 0x80, 0xff][i % 3]!;
        check(mutated);
        if (i % 8 === 0) check(bytes.subarray(0, i));
      }
    }
    expect(agreed).toBeGreaterThan(300);
  });

  it('decodes Name string types as the library does', () => {
    const tlv = (tag: number, content: number[] | Uint8Array) =>
      new Uint8Array([
        tag,
        ...(content.length < 128 ? [content.length] : [0x81, content.length]),
        ...content,
      ]);
    const atv = (value: Uint8Array) => tlv(0x30, [...[0x06, 0x03, 0x55, 0x04, 0x03], ...value]);
    const name = (...values: Uint8Array[]) =>
      tlv(0x30, [
        ...tlv(
          0x31,
          values.flatMap((v) => [...atv(v)]),
        ),
      ]);
    const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];
    const values = [
      tlv(0x0c, utf8('JÕEORG,JAAK-KRISTJAN+"x"<y>;\\')),
      tlv(0x0c, utf8('😀 a\u0000b')),
      tlv(0x0c, utf8('\ufeffBOM')),
      tlv(0x13, [0x41, 0x00, 0x7f]),
      tlv(0x14, [0xe9, 0x41, 0xff]),
      tlv(0x16, [0xe9]),
      tlv(0x1e, [0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00]),
      tlv(0x1c, [0x00, 0x01, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x41]),
      tlv(0x12, [0x31]),
      tlv(0x04, [1, 2]),
      tlv(0x30, [0x02, 0x01, 0x01]),
    ];
    for (const v of values) {
      const d = name(v);
      expect(rdnsOfDer(d)).toEqual(rdnsOfName(AsnConvert.parse(d, Name)));
    }
    const multi = name(...values);
    expect(nameToString(rdnsOfDer(multi))).toBe(nameToString(rdnsOfName(AsnConvert.parse(multi, Name))));
  });
});

describe('decodeOid', () => {
  it('reads the first two arcs from the first subidentifier and the rest as written', async () => {
    const { decodeOid } = await import('../src/der.js');
    expect(decodeOid(Uint8Array.of(0x00))).toBe('0.0');
    expect(decodeOid(Uint8Array.of(0x27, 0x05))).toBe('0.39.5');
    expect(decodeOid(Uint8Array.of(0x28))).toBe('1.0');
    expect(decodeOid(Uint8Array.of(0x88, 0x37))).toBe('2.999');
    expect(decodeOid(Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03))).toBe(
      '1.2.840.10045.4.3.3',
    );
  });

  it('refuses empty, truncated and non-minimal encodings with a coded error', async () => {
    const { decodeOid } = await import('../src/der.js');
    for (const bad of [[], [0x2a, 0x86], [0x2a, 0x80, 0x01], [0x80, 0x01]]) {
      expect(() => decodeOid(Uint8Array.from(bad))).toThrow(
        expect.objectContaining({ code: 'MALFORMED_DER' }),
      );
    }
  });
});
