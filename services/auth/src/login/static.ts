import { readFileSync } from 'node:fs';

/** The page's script and style, read once from the package's static/ folder (no build step). */
const dir = new URL('../../static/', import.meta.url);

export const STATIC: Record<string, { type: string; body: Buffer }> = {
  'login.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('login.js', dir)) },
  'login.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('login.css', dir)) },
};
