#!/usr/bin/env node
// The `fathom` command of a checkout. The TypeScript is compiled by `npm ci` (the prepare script),
// which also bundles it (tools/bundle.mjs): a start loads a dozen modules instead of ~335, ~135 ms
// sooner. The bundle runs only while no file it was made of changed after it was made (a `tsc -b`
// after an edit, an `npm install` of a bundled package: the compiled modules run instead, as they
// would without it). Changed: the inode's change time (ctime), which npm's extraction and `cp -p`
// set too (npm gives every file of a package the same old mtime).
//
//   FATHOM_BUNDLE=off          always run the compiled modules
//   FATHOM_BUNDLE_DIR          another bundle directory (tests)
//   FATHOM_LAUNCH_TRACE=1      say on stderr which one runs
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);
const modules = new URL('apps/cli/dist/src/index.js', root);
const bundleDir = process.env.FATHOM_BUNDLE_DIR ? pathToFileURL(`${resolve(process.env.FATHOM_BUNDLE_DIR)}/`) : new URL('apps/cli/dist/bundle/', root);

/** Why the bundle cannot run (undefined: it can). */
function bundleUnusable() {
  if (/^(off|0|false|no)$/i.test(process.env.FATHOM_BUNDLE ?? '')) return 'FATHOM_BUNDLE=off';
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', bundleDir), 'utf8'));
  } catch {
    return 'no bundle (npm run build makes it)';
  }
  if (!existsSync(new URL('index.mjs', bundleDir))) return 'no bundle (npm run build makes it)';
  for (const f of manifest.inputs ?? []) {
    const changedMs = statSync(new URL(f, root), { throwIfNoEntry: false })?.ctimeMs;
    if (changedMs === undefined || changedMs > manifest.builtFromMs) return `stale bundle: ${f} changed after it (npm run build remakes it)`;
  }
  return undefined;
}

const why = bundleUnusable();
const entry = why === undefined ? new URL('index.mjs', bundleDir) : modules;
if (!existsSync(entry)) {
  process.stderr.write('fathom: not built yet; run `npm ci` (or `npm run build`) in the checkout first\n');
  process.exit(2);
}
if (process.env.FATHOM_LAUNCH_TRACE === '1') process.stderr.write(`fathom: running ${why === undefined ? 'the bundle' : `the compiled modules (${why})`}: ${entry.pathname}\n`);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
