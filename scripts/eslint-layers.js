// The layering rule: lower layers never import higher ones.
//
//   packages/  (ranked among themselves below)  <  services/  <  apps/cli  <  bench
//   testing/ sits beside packages and may be imported only from test files.
//
// A package may import only packages of a strictly lower rank, so the library graph stays
// acyclic by construction. A service never imports another service: services talk over HTTP
// (and X-Road), configured, never through each other's code. A new package must be given a
// rank here, which is the moment to decide where it belongs.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** @type {Record<string, number>} */
export const PACKAGE_RANK = {
  '@riik/core': 0,
  '@riik/keys': 1,
  '@riik/storage': 1,
  '@riik/http': 1,
  '@riik/pki': 2,
  '@riik/eid': 3,
  '@riik/asice': 3,
  '@riik/ksi': 3,
  '@riik/xroad': 4,
  '@riik/authn': 4,
};

const ROOT = dirname(dirname(new URL(import.meta.url).pathname));

/** @param {string} file */
function owner(file) {
  const rel = relative(ROOT, file).split(sep);
  let dir = ROOT;
  let found;
  for (const part of rel.slice(0, -1)) {
    dir = join(dir, part);
    if (existsSync(join(dir, 'package.json'))) found = dir;
  }
  if (!found) return undefined;
  const name = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')).name;
  return { name, kind: kindOf(relative(ROOT, found).split(sep)[0] ?? '') };
}

/** @param {string} top */
function kindOf(top) {
  return { packages: 'package', services: 'service', apps: 'app', testing: 'testing', bench: 'bench' }[top];
}

/** @type {Map<string, string|undefined>} */
const kindByName = new Map();
/** @param {string} name */
function kindOfPackage(name) {
  if (!kindByName.has(name)) {
    let kind;
    for (const top of ['packages', 'services', 'apps', 'testing', 'bench']) {
      const candidates = top === 'testing' || top === 'bench' ? [join(ROOT, top)] : listDirs(join(ROOT, top));
      for (const dir of candidates) {
        const pkg = join(dir, 'package.json');
        if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === name) kind = kindOf(top);
      }
    }
    kindByName.set(name, kind);
  }
  return kindByName.get(name);
}

/** @param {string} dir */
function listDirs(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (existsSync(join(sub, 'package.json'))) out.push(sub);
    else out.push(...listDirs(sub)); // services/registries/<name>
  }
  return out;
}

const RANK = { package: 0, testing: 1, service: 2, app: 3, bench: 4 };

/** @type {import('eslint').Rule.RuleModule} */
export const layerRule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{why}}' } },
  create(context) {
    const me = owner(context.filename);
    if (!me?.kind) return {};
    const isTest = /[\\/]test[\\/]/.test(context.filename);
    /** @param {any} node @param {unknown} source */
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('@riik/')) return;
      const target = source.split('/').slice(0, 2).join('/');
      if (target === me.name) return;
      const kind = kindOfPackage(target);
      /** @param {string} why */
      const report = (why) => context.report({ node, messageId: 'layer', data: { why } });
      if (!kind) return report(`${target} is not a workspace package`);
      if (kind === 'testing') {
        if (!isTest && me.kind !== 'bench' && me.kind !== 'testing') report(`${target} is for tests only`);
        return;
      }
      if (me.kind === 'testing' && kind === 'package') return;
      if (RANK[kind] > RANK[me.kind])
        return report(`${me.name} (${me.kind}) may not import ${target} (${kind})`);
      if (kind === 'service' && me.kind === 'service')
        return report(`services talk over HTTP, not imports: ${me.name} may not import ${target}`);
      if (kind === 'package' && me.kind === 'package') {
        const mine = PACKAGE_RANK[me.name];
        const theirs = PACKAGE_RANK[target];
        if (mine === undefined || theirs === undefined)
          return report(`give ${mine === undefined ? me.name : target} a rank in scripts/eslint-layers.js`);
        if (theirs >= mine)
          report(
            `${me.name} (rank ${mine}) may import only lower-ranked packages, not ${target} (rank ${theirs})`,
          );
      }
    }
    return {
      /** @param {any} node */
      ImportDeclaration: (node) => check(node, node.source.value),
      /** @param {any} node */
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      /** @param {any} node */
      ExportAllDeclaration: (node) => check(node, node.source.value),
      /** @param {any} node */
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
