/**
 * A group evaluation's rules share selections (storage read once per selector and range), and
 * still see what earlier rules of the group wrote: the same results as without the cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf, matcher } from '@fathom/model';
import type { Queryable } from '@fathom/storage';
import { QueryEngine } from '@fathom/query';
import { tempDir } from '@fathom/testkit';
import { CountingAlertSink, MemoryStorage, RuleManager, SelectionCache } from '../src/index.js';

const RULES = `groups:
  - name: g
    rules:
      - record: before:rec
        expr: sum(x:rec)
      - record: x:rec
        expr: sum(m)
      - record: again:m
        expr: sum(m) * 2
      - record: after:rec
        expr: sum(x:rec)
      - alert: High
        expr: m > 1
      - record: alerts:count
        expr: count(ALERTS)
`;

for (const shared of [false, true]) {
  test(`a group ${shared ? 'with' : 'without'} shared selections: later rules see earlier rules' output`, async (t) => {
    const dir = await tempDir('fathom-rules-sel-');
    t.after(dir.cleanup);
    await mkdir(join(dir.path, 'rules'), { recursive: true });
    await writeFile(join(dir.path, 'rules', 'g.yaml'), RULES);
    const storage = new MemoryStorage();
    const nowMs = Date.now();
    const app = storage.appender();
    for (const i of ['1', '2', '3']) app.append(labelsOf({ __name__: 'm', i }), nowMs - 10_000, Number(i));
    await app.commit();
    let reads = 0;
    const counting: Queryable = { querier: async (a, b) => { const q = await storage.querier(a, b); return { ...q, select: (m, h) => (reads++, q.select(m, h)) }; } };
    const selections = shared ? { selections: { queryable: counting, engineFor: (q: Queryable) => new QueryEngine(q) } } : {};
    const m = new RuleManager({ engine: new QueryEngine(counting), storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'state'), defaultIntervalMs: 60_000, externalUrl: 'http://ui', ...selections });
    await m.load();
    await m.evaluateAll(nowMs);
    const value = async (name: string): Promise<number | undefined> => (await (await storage.querier(nowMs, nowMs)).select([matcher('__name__', '=', name)]))[0]?.samples.values.at(-1);
    assert.equal(await value('before:rec'), undefined, 'sum of nothing is nothing');
    assert.equal(await value('x:rec'), 6);
    assert.equal(await value('again:m'), 12);
    assert.equal(await value('after:rec'), 6, 'sees x:rec written by the rule before');
    assert.equal(await value('alerts:count'), 2, 'sees the ALERTS written by the rule before');
    assert.equal(reads, shared ? 4 : 6, 'm read once when shared; x:rec again after it was written');
    assert.deepEqual(m.selectionStats(), shared ? { hits: 2, misses: 4 } : { hits: 0, misses: 0 });
  });
}

test('selectors that differ only in where the operator ends are two entries, not one', async () => {
  const storage = new MemoryStorage();
  const app = storage.appender();
  const t0 = Date.now();
  app.append(labelsOf({ __name__: 'x', a: '~b' }), t0, 1);
  app.append(labelsOf({ __name__: 'x', a: 'b' }), t0, 2);
  await app.commit();
  const stats = { hits: 0, misses: 0 };
  const q = await new SelectionCache(storage, storage, 1_000_000, stats).querier(t0 - 1000, t0 + 1000);
  // Joined without separators both read `a=~b`.
  const equalTilde = await q.select([matcher('__name__', '=', 'x'), matcher('a', '=', '~b')]);
  const regex = await q.select([matcher('__name__', '=', 'x'), matcher('a', '=~', 'b')]);
  assert.deepEqual(equalTilde.map((s) => s.labels['a']), ['~b']);
  assert.deepEqual(regex.map((s) => s.labels['a']), ['b']);
  assert.deepEqual(stats, { hits: 0, misses: 2 });
});
