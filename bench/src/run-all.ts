import { benchKsi } from './ksi.js';
import { benchTsa } from './tsa.js';

/** `npm run bench`: every benchmark, one after another (never in parallel: they measure the machine). */
for (const bench of [benchTsa, benchKsi]) await bench();
