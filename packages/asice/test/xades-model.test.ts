import { generateKeyPairSync, sign, constants } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDataDir } from '@riik/testing';
import {
  C14N,
  openContainer,
  signatureAlgorithm,
  SIGNATURE,
  verifySignatureValue,
  type XadesSignature,
} from '../src/index.js';

async function signaturesOf(file: string): Promise<XadesSignature[]> {
  const container = await openContainer({ path: join(testDataDir('digidoc', 'containers'), file) });
  container.close();
  return [...container.signatures];
}

describe('the XAdES model read from real signatures', () => {
  it('LT with production place, signer role and SigningCertificate v1', async () => {
    const [s] = await signaturesOf('EE_LT_sig_OCSP_15m6s_after_TS.asice');
    const sp = s!.qualifyingProperties.signedProperties;
    expect(s!.level).toBe('LT');
    expect(sp.productionPlace).toEqual({
      version: 1,
      city: 'San Pedro',
      stateOrProvince: 'Puerto Vallarta',
      postalCode: '13456',
      countryName: 'Val Verde',
    });
    expect(sp.signerRole).toEqual({ version: 1, claimedRoles: ['Manager', 'Suspicious Fisherman'] });
    expect(sp.signingCertificate?.version).toBe(1);
    expect(sp.signingCertificate?.certs[0]?.issuerSerial?.serialNumber).toMatch(/^\d+$/);
    expect(sp.signingTime).toBeInstanceOf(Date);
    expect(sp.dataObjectFormats[0]).toMatchObject({ mimeType: 'application/octet-stream' });
    const up = s!.qualifyingProperties.unsignedProperties;
    expect(up.signatureTimeStamps).toHaveLength(1);
    expect(up.signatureTimeStamps[0]!.tokens[0]![0]).toBe(0x30); // DER SEQUENCE
    expect(up.ocspValues).toHaveLength(1);
  });

  it('BDOC-TM: the time-mark policy with its SPURI and hash', async () => {
    const [s] = await signaturesOf('valid-bdoc-tm.bdoc');
    expect(s!.level).toBe('TM');
    expect(s!.qualifyingProperties.signedProperties.policy).toMatchObject({
      implied: false,
      identifier: 'urn:oid:1.3.6.1.4.1.10015.1000.3.2.1',
      qualifier: 'OIDAsURN',
      oid: '1.3.6.1.4.1.10015.1000.3.2.1',
      spuris: ['https://www.sk.ee/repository/bdoc-spec21.pdf'],
      hash: { algorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' },
    });
    expect(s!.qualifyingProperties.unsignedProperties.certificateValues).toHaveLength(2);
  });

  it('implied policy, SigningCertificateV2 with IssuerSerialV2, archive time-stamps', async () => {
    const [implied] = await signaturesOf('validTSwImplicitPolicy.asice');
    expect(implied!.qualifyingProperties.signedProperties.policy).toEqual({ implied: true, spuris: [] });
    const [v2] = await signaturesOf('signed-container-with-empty-datafile.asics');
    const cert = v2!.qualifyingProperties.signedProperties.signingCertificate!;
    expect(cert.version).toBe(2);
    expect(cert.certs[0]!.issuerSerialV2?.[0]).toBe(0x30);
    const [lta] = await signaturesOf('valid-asice-lta.asice');
    expect(lta!.level).toBe('LTA');
    expect(lta!.qualifyingProperties.unsignedProperties.archiveTimeStamps[0]).toMatchObject({
      kind: 'ArchiveTimeStamp',
      canonicalizationMethod: C14N.exc,
    });
  });
});

describe('signature value verification', () => {
  const data = Buffer.from('canonical SignedInfo');

  it('RSA-PSS (RFC 6931 sha256-rsa-MGF1, salt as long as the hash)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const value = sign('sha256', data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const pss = signatureAlgorithm(SIGNATURE.rsaPssSha256)!;
    expect(verifySignatureValue(pss, publicKey, data, value)).toBe(true);
    expect(verifySignatureValue(signatureAlgorithm(SIGNATURE.rsaSha256)!, publicKey, data, value)).toBe(
      false,
    );
  });

  it('ECDSA takes raw r||s only, and refuses a key of the wrong type', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const alg = signatureAlgorithm(SIGNATURE.ecdsaSha384)!;
    const raw = sign('sha384', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const der = sign('sha384', data, { key: privateKey, dsaEncoding: 'der' });
    expect(verifySignatureValue(alg, publicKey, data, raw)).toBe(true);
    expect(verifySignatureValue(alg, publicKey, data, der)).toBe(false);
    expect(verifySignatureValue(alg, publicKey, data, raw.subarray(1))).toBe(false);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifySignatureValue(alg, rsa, data, raw)).toBe(false);
  });
});
