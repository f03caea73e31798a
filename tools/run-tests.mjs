#!/usr/bin/env node
// The one test runner for the whole repo: node's built-in runner over the compiled tests.
// Unit tests (*.test.js) run in parallel; integration tests (*.int.test.js) run one file at a
// time because they share real peers (dockerd, ports, CPU for measurements).
// Prints the spec report and a closing "N passed, N failed, N skipped" line; exits 1 on failure.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (name === 'node_modules' || name === 'testdata' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (entry.isDirectory()) findTests(path, out);
    else if (entry.isFile() && /\.test\.js$/.test(name) && path.includes('/dist/test/')) out.push(path);
  }
  return out;
}

const all = findTests(root).filter((f) => !filter || relative(root, f).includes(filter)).sort();
const unit = all.filter((f) => !f.endsWith('.int.test.js'));
const integration = args.has('--unit') ? [] : all.filter((f) => f.endsWith('.int.test.js'));

const totals = { passed: 0, failed: 0, skipped: 0 };

async function runFiles(files, concurrency) {
  if (files.length === 0) return;
  const stream = run({ files, concurrency, timeout: 10 * 60_000 });
  stream.on('test:pass', (e) => {
    if (e.details?.type === 'suite') return;
    if (e.skip || e.todo) totals.skipped++;
    else totals.passed++;
  });
  stream.on('test:fail', (e) => {
    if (e.details?.type === 'suite' && e.details?.error?.failureType === 'subtestsFailed') return;
    totals.failed++;
  });
  await new Promise((resolve, reject) => {
    const out = stream.compose(spec);
    out.on('data', (chunk) => process.stdout.write(chunk));
    out.on('end', resolve);
    out.on('error', reject);
  });
}

await runFiles(unit, 2);
await runFiles(integration, 1);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = totals.failed > 0 || totals.passed === 0 ? 1 : 0;
