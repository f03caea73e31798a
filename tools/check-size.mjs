#!/usr/bin/env node
// Fails when a hand-written source file grows past 40 KB (style guide P16): split it by concern.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIMIT = 40 * 1024;
const ALLOW = new Set([]); // paths with a written reason, none yet
const root = new URL('..', import.meta.url).pathname;
const big = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'testdata', '.git'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(ts|tsx|mjs|js)$/.test(e.name) && statSync(p).size > LIMIT && !ALLOW.has(relative(root, p))) big.push(`${relative(root, p)} (${statSync(p).size} bytes)`);
  }
})(root);
if (big.length) {
  console.error(`files over ${LIMIT} bytes:\n  ${big.join('\n  ')}`);
  process.exit(1);
}
console.log('file sizes: ok');
