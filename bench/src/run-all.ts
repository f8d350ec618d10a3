/**
 * `npm run bench [-- name...]`: run every benchmark (or the named ones) one after another, never
 * in parallel (they measure the machine). Each appends its table to docs/benchmarks.md and
 * writes bench/results/<name>.json. Benchmarks never run in CI and never fail it.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  ocsp: async () => (await import('./ocsp.js')).run(),
  issuing: async () => (await import('./issuing.js')).run(),
  tsa: async () => (await import('./tsa.js')).benchTsa(),
  ksi: async () => (await import('./ksi.js')).benchKsi(),
  auth: async () => (await import('./auth.js')).benchAuth(),
  signatures: async () => (await import('./signatures.js')).run(),
  xroad: async () => (await import('./xroad.js')).benchXroad(),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`\n== bench ${name}\n`);
  await bench();
}
