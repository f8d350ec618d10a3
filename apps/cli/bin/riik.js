#!/usr/bin/env node
// The riik command. The TypeScript sources are compiled by `npm ci` (the root prepare script).
import { main } from '../dist/main.js';

main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`riik: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
