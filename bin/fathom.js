#!/usr/bin/env node
// The `fathom` command of a checkout. The TypeScript is compiled by `npm ci` (the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../apps/cli/dist/src/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('fathom: not built yet; run `npm ci` (or `npm run build`) in the checkout first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
