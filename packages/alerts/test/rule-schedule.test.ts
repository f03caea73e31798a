/**
 * The group loop never overlaps itself: an evaluation held up (here by a gated querier) makes
 * the loop skip the ticks it missed and count them, with at most one evaluation in flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOOP_LOGGER, sleep } from '@fathom/kit';
import type { Matcher } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import type { Querier, Queryable, SelectHints } from '@fathom/storage';
import { tempDir, waitFor } from '@fathom/testkit';
import { CountingAlertSink, MemoryStorage, RuleManager } from '../src/index.js';

class GatedQueryable implements Queryable {
  inFlight = 0;
  maxInFlight = 0;
  entered = 0;
  private _release: (() => void) | undefined;
  private readonly _gate: Promise<void>;
  constructor(private readonly _inner: Queryable) {
    this._gate = new Promise((r) => (this._release = r));
  }
  release(): void {
    this._release?.();
  }
  async querier(minMs: number, maxMs: number): Promise<Querier> {
    const q = await this._inner.querier(minMs, maxMs);
    return {
      ...q,
      select: async (matchers: readonly Matcher[], hints?: SelectHints) => {
        this.entered++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          await this._gate;
          return await q.select(matchers, hints);
        } finally {
          this.inFlight--;
        }
      },
    };
  }
}

test('a slow group skips missed ticks, counts them, and never runs twice at once', async (t) => {
  const dir = await tempDir('fathom-rules-sched-');
  t.after(dir.cleanup);
  await mkdir(join(dir.path, 'rules'), { recursive: true });
  await writeFile(join(dir.path, 'rules', 'slow.yaml'), 'groups:\n  - name: slow\n    interval: 50ms\n    rules:\n      - record: x:slow\n        expr: sum(slow_metric)\n');
  const storage = new MemoryStorage();
  const gated = new GatedQueryable(storage);
  const m = new RuleManager({ engine: new QueryEngine(gated), storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'state'), defaultIntervalMs: 1000, externalUrl: 'http://ui' });
  const stop = new AbortController();
  const running = m.run(stop.signal);
  try {
    await waitFor('the first evaluation to start', () => Promise.resolve(gated.entered > 0 || undefined), 10_000, 5);
    await sleep(400); // hold the evaluation across several 50 ms ticks
    gated.release();
    const g = await waitFor('missed iterations counted', () => Promise.resolve(m.groups().find((x) => x.missedIterations > 0)), 10_000, 5);
    assert.ok(g.missedIterations >= 3, `missed ${g.missedIterations}`);
    await waitFor('later evaluations', () => Promise.resolve(g.evaluations >= 3 || undefined), 10_000, 5);
    assert.equal(gated.maxInFlight, 1, 'never two evaluations of the group at once');
  } finally {
    gated.release();
    stop.abort();
    await running;
  }
});
