/**
 * `npm run bench [-- name...]`: run every benchmark (or the named ones) in sequence. Each
 * appends its figures to docs/benchmarks.md and bench/results/<name>.json. Benchmarks never run
 * in CI and never fail it.
 */
const BENCHES: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  ocsp: () => import('./ocsp.js'),
  issuing: () => import('./issuing.js'),
  signatures: () => import('./signatures.js'),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const load = BENCHES[name];
  if (!load) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`\n== bench ${name}\n`);
  await (await load()).run();
}
