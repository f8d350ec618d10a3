import { benchKsi } from './ksi.js';
import { benchTsa } from './tsa.js';
import { benchXroad } from './xroad.js';

/** `npm run bench`: every benchmark, one after another (never in parallel: they measure the machine). */
for (const bench of [benchTsa, benchKsi, benchXroad]) await bench();
