#!/usr/bin/env node
// Bundles the compiled CLI (apps/cli/dist) and the workspace packages it imports into a few ES
// modules in apps/cli/dist/bundle/, which bin/fathom.js runs when it is fresh (see there). Node
// 20's ES module loader costs ~0.4 ms a module (resolve, an async read, compile, link): the ~335
// modules of `fathom server` were ~135 ms of a ~370 ms start, most of a restart's wait before the
// data loads. Part of `npm run build`; ~0.4 s.
//
// Bundled: the workspace packages and the ES-module dependencies whose many small files cost the
// most to load (zod alone is 95). Left to node_modules: CommonJS packages that find optional
// modules at run time (protobufjs, the Kubernetes client, nodemailer, yaml...), whose behaviour a
// bundler could change.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const input = `${root}apps/cli/dist/src/index.js`;
const outDir = `${root}apps/cli/dist/bundle`;
/** Packages bundled (the rest stay imports of node_modules). */
const BUNDLED = /^(@fathom\/|zod(\/|$)|hono(\/|$)|@hono\/node-server(\/|$)|@lezer\/|@prometheus-io\/lezer-promql(\/|$)|commander$)/;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function external(id, _importer, isResolved) {
  if (builtins.has(id) || id.startsWith('node:')) return true;
  if (isResolved || id.startsWith('.') || id.startsWith('/')) return false;
  return !BUNDLED.test(id);
}

rmSync(outDir, { recursive: true, force: true });
// a file written from now on (a `tsc -b -w` meanwhile) makes the bundle stale: its time, not the inputs' newest mtime
const builtFromMs = Date.now();
const bundle = await rolldown({ input, platform: 'node', external, logLevel: 'warn' });
const { output } = await bundle.write({ dir: outDir, format: 'esm', entryFileNames: 'index.mjs', chunkFileNames: '[name]-[hash].mjs' });
await bundle.close();

// What it was made of: the launcher runs the bundle only while none is newer. Workspace modules
// by file; a bundled package by its package.json (`npm install zod@x` rewrites it, and does not
// run the root's prepare script that would remake the bundle).
const inputs = new Set();
for (const chunk of output) {
  for (const id of chunk.type === 'chunk' ? chunk.moduleIds : []) {
    if (!id.startsWith(root)) continue;
    const nm = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(id);
    inputs.add(relative(root, nm ? `${nm[1]}/package.json` : id));
  }
}
const files = [...inputs].sort();
for (const f of files) if (!existsSync(`${root}${f}`)) throw new Error(`tools/bundle.mjs: input ${f} not found`);
writeFileSync(`${outDir}/manifest.json`, `${JSON.stringify({ builtFromMs, inputs: files })}\n`);
process.stdout.write(`tools/bundle.mjs: ${output.length} modules from ${files.length} files and packages in ${relative(root, outDir)}\n`);
