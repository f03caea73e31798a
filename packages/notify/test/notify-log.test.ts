import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@fathom/testkit';
import { NotifyLogFile } from '../src/index.js';

const entry = (groupKey: string, firing: string[], atMs = 1): { channel: string; groupKey: string; firing: string[]; resolved: string[]; atMs: number } => ({ channel: 'r/webhook/0', groupKey, firing, resolved: [], atMs });

test('notification log: entries survive a reopen; clear removes; a damaged tail is cut and reported', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  let log = new NotifyLogFile(dir.path, true);
  log.record(entry('g1', ['a']));
  log.record(entry('g2', ['b']));
  log.record(entry('g1', ['a', 'c'], 2));
  log.record(entry('g2', [])); // all resolved: cleared
  log.close();
  appendFileSync(join(dir.path, 'notify-log.jsonl'), '{"v":1,"op":"set","e":{"chan');
  log = new NotifyLogFile(dir.path, true);
  assert.deepEqual(log.get('r/webhook/0', 'g1')?.firing, ['a', 'c']);
  assert.equal(log.get('r/webhook/0', 'g2'), undefined);
  assert.equal(log.problems.length, 1);
  assert.match(log.problems[0] ?? '', /damaged line at byte \d+; the log is cut there/);
  log.record(entry('g3', ['d']));
  log.close();
  log = new NotifyLogFile(dir.path, true);
  assert.deepEqual(log.problems, [], 'the cut made the file whole again');
  assert.deepEqual(log.get('r/webhook/0', 'g3')?.firing, ['d']);
  log.close();
});

test('notification log: compacted when appended lines far outnumber live entries', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const log = new NotifyLogFile(dir.path, false);
  for (let i = 0; i < 2500; i++) log.record(entry(`g${i % 3}`, [`a${i}`], i));
  log.close();
  const lines = readFileSync(join(dir.path, 'notify-log.jsonl'), 'utf8').trim().split('\n');
  assert.ok(lines.length < 1100, `compacted (${lines.length} lines)`);
  const reopened = new NotifyLogFile(dir.path, false);
  assert.deepEqual(reopened.get('r/webhook/0', 'g0')?.firing, ['a2499']);
  assert.deepEqual(reopened.get('r/webhook/0', 'g2')?.firing, ['a2498']);
  reopened.close();
});
