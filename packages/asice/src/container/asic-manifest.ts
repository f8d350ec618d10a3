/**
 * ASiCManifest documents (EN 319 162-1 A.4): in a time-stamped ASiC-S container each
 * META-INF/ASiCArchiveManifest*.xml lists, with digests, the files the time-stamp token named in
 * its SigReference covers (the data file, earlier tokens, earlier manifests).
 */
import { AsiceError } from '../errors.js';
import { decodeBase64Strict } from '../xml/base64.js';
import { attribute, childrenNamed, elementChildren, isNamed, textOnly } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse.js';

export interface AsicManifestReference {
  readonly uri: string;
  readonly mimeType?: string;
  readonly rootfile: boolean;
  readonly digestMethod: string;
  readonly digestValue: Uint8Array;
}

export interface AsicManifest {
  /** URI of the time-stamp token (or CAdES signature) that covers this manifest. */
  readonly sigReference: { readonly uri: string; readonly mimeType?: string };
  readonly references: readonly AsicManifestReference[];
}

function malformed(message: string): AsiceError {
  return new AsiceError('CONTAINER_MANIFEST_MALFORMED', message);
}

export function parseAsicManifest(bytes: Uint8Array): AsicManifest {
  const root = parseXml(bytes, { maxBytes: 4 * 1024 * 1024 }).documentElement!;
  if (!isNamed(root, NS.asic, 'ASiCManifest')) throw malformed('root is not asic:ASiCManifest');
  const sigRefs = childrenNamed(root, NS.asic, 'SigReference');
  const sigUri = sigRefs[0] && attribute(sigRefs[0], 'URI');
  if (sigRefs.length !== 1 || !sigUri)
    throw malformed('ASiCManifest needs exactly one SigReference with a URI');
  const sigMime = attribute(sigRefs[0]!, 'MimeType');
  const references = childrenNamed(root, NS.asic, 'DataObjectReference').map((ref): AsicManifestReference => {
    const uri = attribute(ref, 'URI');
    const [method, value] = elementChildren(ref).filter(
      (e) => e.namespaceURI === NS.ds && e.localName !== 'Transforms',
    );
    const digestMethod =
      method && isNamed(method, NS.ds, 'DigestMethod') ? attribute(method, 'Algorithm') : undefined;
    const digestValue =
      value && isNamed(value, NS.ds, 'DigestValue') ? decodeBase64Strict(textOnly(value) ?? '') : undefined;
    if (!uri || !digestMethod || !digestValue) throw malformed('malformed DataObjectReference');
    const mimeType = attribute(ref, 'MimeType');
    return {
      uri,
      ...(mimeType !== undefined ? { mimeType } : {}),
      rootfile: attribute(ref, 'Rootfile') === 'true',
      digestMethod,
      digestValue,
    };
  });
  return {
    sigReference: { uri: sigUri, ...(sigMime !== undefined ? { mimeType: sigMime } : {}) },
    references,
  };
}
