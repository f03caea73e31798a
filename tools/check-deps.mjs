#!/usr/bin/env node
// Dependency boundaries (ARCHITECTURE.md, "Layers"): every @fathom import must be an allowed edge
// and declared in the importing package's package.json; pure packages import no Node built-ins;
// nothing but the CLI imports an app; test support stays out of product code.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Which workspace packages each may import from its src/. Tests may also use testkit and expfmt. */
const ALLOWED = {
  model: [],
  kit: ['model'],
  testkit: ['model', 'kit'],
  config: ['model'],
  protocol: ['model'],
  expfmt: ['model'],
  collectors: ['model', 'kit'],
  sinks: ['model', 'kit', 'protocol'],
  demo: ['model', 'kit', 'protocol', 'sinks'],
  dashboards: [],
  web: ['dashboards'],
  storage: ['model', 'kit'],
  events: ['model', 'kit'],
  notify: ['model', 'kit'],
  k8s: ['model', 'kit', 'events'],
  tsdb: ['model', 'kit', 'storage'],
  query: ['model', 'storage'],
  alerts: ['model', 'kit', 'storage', 'query', 'events', 'notify'],
  http: ['model', 'kit', 'storage', 'query', 'protocol', 'expfmt', 'events', 'dashboards', 'alerts', 'notify'],
  agent: ['model', 'kit', 'config', 'collectors', 'sinks', 'protocol', 'expfmt', 'k8s', 'events'],
  server: ['model', 'kit', 'config', 'storage', 'tsdb', 'query', 'http', 'events', 'dashboards', 'alerts', 'notify'],
  cli: ['kit', 'config', 'agent', 'server', 'web', 'demo', 'model', 'alerts'],
  e2e: '*',
  bench: '*',
};
const TEST_EXTRA = ['testkit', 'expfmt', 'protocol', 'kit', 'model', 'storage'];
const PURE = new Set(['model', 'query', 'dashboards']);

const problems = [];
const dirs = ['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(root, d, n))).concat([join(root, 'e2e'), join(root, 'bench')]);

function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'testdata', 'public'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const self = pkg.name.replace('@fathom/', '');
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  const allowed = ALLOWED[self];
  if (allowed === undefined && self !== 'web') problems.push(`${pkg.name}: not in the layer table of tools/check-deps.mjs`);
  for (const file of sources(dir)) {
    const isTest = relative(dir, file).startsWith('test');
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      const where = relative(root, file);
      if (spec.startsWith('node:') && PURE.has(self) && !isTest) problems.push(`${where}: ${pkg.name} is pure and must not import ${spec}`);
      if (!spec.startsWith('@fathom/')) continue;
      const target = spec.split('/')[1];
      if (spec.split('/').length > 2 && !spec.endsWith('/package.json')) problems.push(`${where}: deep import ${spec}`);
      if (!declared.has(`@fathom/${target}`)) problems.push(`${where}: imports @fathom/${target} but ${pkg.name} does not declare it`);
      if (allowed === '*') continue;
      const ok = (allowed ?? []).includes(target) || (isTest && TEST_EXTRA.includes(target));
      if (!ok) problems.push(`${where}: ${pkg.name} → @fathom/${target} is not an allowed edge`);
    }
  }
}

if (problems.length) {
  console.error(`dependency boundaries: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependency boundaries: ok (${dirs.length} packages)`);
