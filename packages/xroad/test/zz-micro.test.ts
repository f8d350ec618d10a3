import { createHash } from 'node:crypto';
import { it } from 'vitest';
import { signMessages, verifyMessageSignature, verifySignatureXml } from '../src/index.js';
import { parseXml } from '../src/xml.js';
import { excC14n } from '../src/signature/c14n.js';
import { createOrgPki } from './org-pki.js';

const sha512 = (s: string) => new Uint8Array(createHash('sha512').update(s).digest());
function time(name: string, n: number, fn: () => unknown) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  console.log(`${name}: ${(((performance.now() - t0) / n) * 1000).toFixed(0)} µs wall, ${(c.user / n).toFixed(0)} µs user`);
}
async function timeA(name: string, n: number, fn: () => Promise<unknown>) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(`${name}: ${(((performance.now() - t0) / n) * 1000).toFixed(0)} µs wall, ${(c.user / n).toFixed(0)} µs user`);
}

it('micro', async () => {
  const pki = await createOrgPki();
  const m = await pki.member('70000001');
  const key = { signer: m.signKey, certificate: m.sign, ocspResponses: [await pki.ocsp(m.sign)] };
  const msg = { message: sha512('a'), attachments: [sha512('b')] };
  const [d] = await signMessages(key, [msg], new Date());
  (await import('node:fs')).writeFileSync('/tmp/sig.json', JSON.stringify({ d, msg: { message: Buffer.from(msg.message).toString('base64'), attachment: Buffer.from(msg.attachments[0]!).toString('base64') } }));
  for (let r = 0; r < 2; r++) {
    await timeA('signMessages(1 with body)', 300, () => signMessages(key, [msg], new Date()));
    await timeA('signMessages(1 no body)', 300, () => signMessages(key, [{ message: msg.message, attachments: [] }], new Date()));
    time('verifySignatureXml', 300, () => verifySignatureXml(d!.signatureXml));
    time('verifyMessageSignature (xml cached)', 300, () => verifyMessageSignature(d!, msg, () => verifySignatureXml(d!.signatureXml)));
    const cached = verifySignatureXml(d!.signatureXml);
    time('verifyMessageSignature hash chain only', 1000, () => verifyMessageSignature(d!, msg, () => cached));
    time('parseXml(sig)', 300, () => parseXml(d!.signatureXml));
    time('parseXml(chain)', 1000, () => parseXml(d!.hashChain!));
    const doc = parseXml(d!.signatureXml)!;
    time('excC14n(root)', 300, () => excC14n(doc.documentElement!));
  }
});
