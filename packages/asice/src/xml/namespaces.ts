/** Namespace URIs, named as the standards name their usual prefixes. */
export const NS = Object.freeze({
  /** XML Signature (xmldsig-core). */
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  /** XML Signature 1.1 additions. */
  dsig11: 'http://www.w3.org/2009/xmldsig11#',
  /** XAdES 1.3.2 (ETSI EN 319 132-1). */
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  /** XAdES 1.4.1 additions (ArchiveTimeStamp, TimeStampValidationData). */
  xades141: 'http://uri.etsi.org/01903/v1.4.1#',
  /** ASiC (ETSI EN 319 162-1): XAdESSignatures, ASiCManifest. */
  asic: 'http://uri.etsi.org/02918/v1.2.1#',
  /** The misspelt ASiC namespace early DSS versions wrote; DSS and digidoc4j still read it. */
  asicLegacy: 'http://uri.etsi.org/2918/v1.2.1#',
  /** OpenDocument manifest (META-INF/manifest.xml). */
  manifest: 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
});
