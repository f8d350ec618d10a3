import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromPem } from '@riik/core';
import { testDataDir } from '@riik/testing';
import { fileNameFromUri, readCertificate, uriFromFileName } from '../src/index.js';
import { namesEqual, parseStringName } from '../src/x509/name.js';

describe('reference URIs and file names', () => {
  it('decodes like DSS: percent-escapes as UTF-8, "+" stays a plus, broken escapes stay literal', () => {
    expect(fileNameFromUri('Faili%2Bnimi.txt')).toBe('Faili+nimi.txt');
    expect(fileNameFromUri('Faili+nimi.txt')).toBe('Faili+nimi.txt');
    expect(fileNameFromUri('with%20encoding.txt')).toBe('with encoding.txt');
    expect(fileNameFromUri('%.txt')).toBe('%.txt');
    expect(fileNameFromUri('100%')).toBe('100%');
    expect(fileNameFromUri('M1n1+Test%C3%A4%C3%B6%C3%BC%C3%B5%21.txt')).toBe('M1n1+Testäöüõ!.txt');
    expect(fileNameFromUri('%FF.txt')).toBe('\uFFFD.txt');
    expect(fileNameFromUri('folder/õ.txt')).toBe('folder/õ.txt');
  });

  it('encodes names so that they decode back, with "+" and spaces escaped', () => {
    for (const name of [
      "1234567890 !#$%&'()+,-.;=@[]^_`{}~ õäöü.txt",
      'a+b c.txt',
      'folder/x%20y.txt',
      '日本.pdf',
    ]) {
      const uri = uriFromFileName(name);
      expect(uri).not.toMatch(/[ +#%](?![0-9A-F]{2})/);
      expect(fileNameFromUri(uri)).toBe(name);
    }
    expect(uriFromFileName('a+b c.txt')).toBe('a%2Bb%20c.txt');
  });
});

describe('distinguished names (X509IssuerName against the certificate)', () => {
  const ca = readCertificate(
    fromPem(
      'CERTIFICATE',
      readFileSync(join(testDataDir('digidoc', 'trust'), 'ca-TEST_of_ESTEID-SK_2011.pem'), 'utf8'),
    ),
  );

  it('matches the RFC 4514 form DigiDoc writes, #hex values included', () => {
    const written =
      '1.2.840.113549.1.9.1=#1609706b6940736b2e6565,CN=TEST of ESTEID-SK 2011,O=AS Sertifitseerimiskeskus,C=EE';
    expect(namesEqual(parseStringName(written), ca.subject)).toBe(true);
    expect(
      namesEqual(
        parseStringName('E=pki@sk.ee, CN=test of esteid-sk  2011, O=AS Sertifitseerimiskeskus, C=EE'),
        ca.subject,
      ),
    ).toBe(true);
    expect(
      namesEqual(parseStringName('CN=TEST of ESTEID-SK 2011,O=AS Sertifitseerimiskeskus,C=EE'), ca.subject),
    ).toBe(false);
    expect(
      namesEqual(
        parseStringName('E=pki@sk.ee,CN=TEST of ESTEID-SK 2015,O=AS Sertifitseerimiskeskus,C=EE'),
        ca.subject,
      ),
    ).toBe(false);
  });

  it('handles escapes, quoting and multi-valued RDNs', () => {
    const a = parseStringName(
      'CN=TAMM\\,MARI\\,38001085718+SERIALNUMBER=PNOEE-38001085718,O="Riik, AS",C=EE',
    );
    expect(a).toHaveLength(3);
    expect(a[2]).toEqual([
      { type: '2.5.4.3', text: 'TAMM,MARI,38001085718' },
      { type: '2.5.4.5', text: 'PNOEE-38001085718' },
    ]);
    expect(a[1]).toEqual([{ type: '2.5.4.10', text: 'Riik, AS' }]);
    expect(parseStringName('CN=\\C3\\B5')[0]).toEqual([{ type: '2.5.4.3', text: 'õ' }]);
  });

  it('refuses malformed names with a coded error', () => {
    for (const bad of ['CN', 'XX=1', 'CN=a,,O=b']) {
      expect(() => parseStringName(bad), bad).toThrow(expect.objectContaining({ code: 'XADES_MALFORMED' }));
    }
  });
});
