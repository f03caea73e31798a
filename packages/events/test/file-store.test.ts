import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matcher } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { FileEventStore } from '../src/index.js';
import type { FathomEvent } from '../src/index.js';

const T0 = 1_764_000_000_000;
const HOUR_MS = 3_600_000;

function ev(atMs: number, reason: string, labels: Record<string, string> = {}): FathomEvent {
  return { atMs, type: reason === 'Started' ? 'Normal' : 'Warning', reason, message: `${reason} at ${atMs}`, source: 'kubernetes', count: 1, labels };
}

async function withDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await tempDir();
  t.after(() => dir.cleanup());
  return dir.path;
}

test('query: time range inclusive, newest first, limit, matcher sets ORed, type/reason matchable', async (t) => {
  const dir = await withDir(t);
  const { store } = FileEventStore.open({ dir, retentionMs: 24 * HOUR_MS, fsync: 'never', nowMs: () => T0 + HOUR_MS });
  await store.append([ev(T0 + 30, 'OOMKilled', { namespace: 'prod', pod: 'a' }), ev(T0 + 10, 'Started', { namespace: 'dev', pod: 'b' })]);
  await store.append([ev(T0 + 20, 'BackOff', { namespace: 'prod', pod: 'c' }), ev(T0 + 40, 'Evicted', { namespace: 'dev', pod: 'd' })]);
  const all = await store.query({ startMs: T0, endMs: T0 + 100, limit: 100 });
  assert.deepEqual(all.map((e) => e.atMs), [T0 + 40, T0 + 30, T0 + 20, T0 + 10]);
  assert.deepEqual((await store.query({ startMs: T0 + 20, endMs: T0 + 30, limit: 100 })).map((e) => e.reason), ['OOMKilled', 'BackOff']);
  assert.deepEqual((await store.query({ startMs: T0, endMs: T0 + 100, limit: 2 })).map((e) => e.reason), ['Evicted', 'OOMKilled']);
  const prod = await store.query({ startMs: T0, endMs: T0 + 100, limit: 100, matchers: [[matcher('namespace', '=', 'prod')]] });
  assert.deepEqual(prod.map((e) => e.labels['pod']), ['a', 'c']);
  const either = await store.query({ startMs: T0, endMs: T0 + 100, limit: 100, matchers: [[matcher('pod', '=', 'b')], [matcher('reason', '=~', 'Evict.*')]] });
  assert.deepEqual(either.map((e) => e.labels['pod']), ['d', 'b']);
  const warnings = await store.query({ startMs: T0, endMs: T0 + 100, limit: 100, matchers: [[matcher('type', '=', 'Warning'), matcher('namespace', '!=', 'prod')]] });
  assert.deepEqual(warnings.map((e) => e.reason), ['Evicted']);
  await store.close();
});

test('durable: events survive reopen; a torn tail is cut, reported, and appends continue', async (t) => {
  const dir = await withDir(t);
  const opts = { dir, retentionMs: 24 * HOUR_MS, fsync: 'always' as const, nowMs: () => T0 + HOUR_MS };
  const first = FileEventStore.open(opts).store;
  await first.append([ev(T0 + 1, 'A', { pod: 'p' }), ev(T0 + 2, 'B')]);
  await first.close();
  const [seg] = readdirSync(dir);
  appendFileSync(join(dir, seg!), '0badc0de {"atMs":'); // a crash mid-write
  const { store, report } = FileEventStore.open(opts);
  assert.equal(report.events, 2);
  assert.equal(report.problems.length, 1);
  assert.match(report.problems[0]!, /00000001\.events at byte \d+: torn line/);
  await store.append([ev(T0 + 3, 'C')]);
  await store.close();
  const again = FileEventStore.open(opts);
  assert.deepEqual(again.report.problems, []);
  assert.deepEqual((await again.store.query({ startMs: 0, endMs: T0 * 2, limit: 10 })).map((e) => e.reason), ['C', 'B', 'A']);
  await again.store.close();
});

test('a corrupted line (checksum mismatch) is reported, not served', async (t) => {
  const dir = await withDir(t);
  const opts = { dir, retentionMs: 24 * HOUR_MS, fsync: 'never' as const, nowMs: () => T0 };
  const s = FileEventStore.open(opts).store;
  await s.append([ev(T0 - 2, 'A'), ev(T0 - 1, 'B')]);
  await s.close();
  const path = join(dir, '00000001.events');
  const text = readFileSync(path, 'utf8').replace('"reason":"B"', '"reason":"X"');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, text);
  const { store, report } = FileEventStore.open(opts);
  assert.match(report.problems[0] ?? '', /checksum mismatch/);
  assert.deepEqual((await store.query({ startMs: 0, endMs: T0, limit: 10 })).map((e) => e.reason), ['A']);
  await store.close();
});

test('retention: old events are not returned and whole old segments are deleted; late arrivals past retention are counted', async (t) => {
  const dir = await withDir(t);
  let nowMs = T0;
  const { store } = FileEventStore.open({ dir, retentionMs: HOUR_MS, fsync: 'never', segmentBytes: 200, nowMs: () => nowMs });
  for (let i = 0; i < 6; i++) await store.append([ev(T0 + i * 10 * 60_000, 'Tick')]);
  const segmentsBefore = readdirSync(dir).length;
  assert.ok(segmentsBefore >= 3, `segments rotate (${segmentsBefore})`);
  nowMs = T0 + 50 * 60_000 + HOUR_MS - 1; // only the last event (T0+50min) is within the hour
  await store.append([ev(T0 - HOUR_MS, 'TooOld')]);
  assert.deepEqual((await store.query({ startMs: 0, endMs: nowMs, limit: 10 })).map((e) => e.atMs), [T0 + 50 * 60_000]);
  assert.ok(readdirSync(dir).length < segmentsBefore, 'old segments deleted');
  assert.deepEqual(store.stats().droppedTotal, { retention: 1, capacity: 0 });
  await store.close();
});

test('the in-memory bound drops the oldest and counts it', async (t) => {
  const dir = await withDir(t);
  const { store } = FileEventStore.open({ dir, retentionMs: HOUR_MS, fsync: 'never', maxEvents: 3, nowMs: () => T0 });
  await store.append([1, 2, 3, 4, 5].map((i) => ev(T0 - i, `E${i}`)));
  assert.deepEqual((await store.query({ startMs: 0, endMs: T0, limit: 10 })).map((e) => e.reason), ['E1', 'E2', 'E3']);
  assert.equal(store.stats().droppedTotal.capacity, 2);
  await store.close();
});
