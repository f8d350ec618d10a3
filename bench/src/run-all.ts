import { benchAuth } from './auth.js';

/** `npm run bench`: every benchmark, one after another (never in parallel: they measure the machine). */
for (const bench of [benchAuth]) await bench();
