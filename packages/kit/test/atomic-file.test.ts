/** Atomic whole-file writes: the new content or the old, no temp file left, concurrent writers do not clash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { writeFileAtomic, writeFileAtomicSync } from '../src/index.js';

function tempDir(t: TestContext): string {
  const path = mkdtempSync(join(tmpdir(), 'fathom-atomic-'));
  t.after(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

test('writes, replaces, creates the directory, leaves no temp file (async and sync, with and without fsync)', async (t) => {
  const dir = { path: tempDir(t) };
  const path = join(dir.path, 'a', 'state.json');
  await writeFileAtomic(path, 'one');
  assert.equal(readFileSync(path, 'utf8'), 'one');
  writeFileAtomicSync(path, new TextEncoder().encode('two'), false);
  assert.equal(readFileSync(path, 'utf8'), 'two');
  await writeFileAtomic(path, 'three', false);
  assert.equal(readFileSync(path, 'utf8'), 'three');
  assert.deepEqual(readdirSync(join(dir.path, 'a')), ['state.json']);
});

test('concurrent writers of one path each use their own temp file: the last rename wins whole', async (t) => {
  const dir = { path: tempDir(t) };
  const path = join(dir.path, 'state.json');
  const contents = Array.from({ length: 20 }, (_, i) => `writer ${i} `.repeat(1000));
  await Promise.all(contents.map((c) => writeFileAtomic(path, c)));
  assert.ok(contents.includes(readFileSync(path, 'utf8')), 'one writer\'s whole content');
  assert.deepEqual(readdirSync(dir.path), ['state.json']);
});
