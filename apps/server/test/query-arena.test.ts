/**
 * The query API decodes each query's selections into a column arena that it releases once the
 * response is written, and the next query carves over (column-arena.ts): concurrent queries over
 * a real TsdbStorage (blocks and head) must answer exactly what they answer one at a time, however
 * their selects interleave and whichever arena each gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOOP_LOGGER } from '@fathom/kit';
import { createServerApp } from '@fathom/http';
import { labelsOf } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '@fathom/tsdb';

const STEP_MS = 10_000;
const END_MS = 3 * 3_600_000;

const QUERIES = [
  ['query_range', 'sum by (ns) (rate(cpu_total[5m]))', 60],
  ['query_range', 'max by (node) (mem_bytes{ns=~"ns-1|ns-2"})', 30],
  ['query_range', 'mem_bytes{pod="pod-3"} / on(pod) group_left cpu_total', 120],
  ['query_range', 'topk(3, rate(cpu_total[10m]))', 300],
  ['query_range', 'mem_bytes', 600],
  ['query', 'cpu_total{pod=~"pod-[0-4]"}[20m]', 0],
  ['query', 'mem_bytes[1h]', 0],
] as const;

function url([kind, q, step]: (typeof QUERIES)[number], shiftS: number): string {
  const end = END_MS / 1000 - shiftS;
  const p = kind === 'query' ? `time=${end}` : `start=${end - 7200}&end=${end}&step=${step}`;
  return `/api/v1/${kind}?query=${encodeURIComponent(q)}&${p}`;
}

test('concurrent queries through the API answer as they do one at a time', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const storage = TsdbStorage.open({ dataDir: dir.path, fsync: 'never', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6, outOfOrderWindowMs: 0, blockRangeMs: 1_800_000 });
  t.after(() => storage.close());
  for (let tMs = 0; tMs <= END_MS; tMs += STEP_MS) {
    const app = storage.appender();
    for (let p = 0; p < 24; p++) {
      const pod = { pod: `pod-${p}`, ns: `ns-${p % 4}`, node: `node-${p % 3}` };
      app.append(labelsOf({ __name__: 'cpu_total', ...pod }), tMs, (tMs / 1000) * (p + 1) * 0.01 + (tMs % 97) / 7);
      app.append(labelsOf({ __name__: 'mem_bytes', ...pod }), tMs, 1e6 + ((tMs / STEP_MS) * 37 + p * 1013) % 5000);
    }
    await app.commit();
  }
  assert.ok(storage.blockStatus().blocks.length > 2, 'selects read blocks as well as the head');
  const app = createServerApp({ storage, engine: new QueryEngine(storage), logger: NOOP_LOGGER, limits: { maxBodyBytes: 1 << 20, maxDecodedBytes: 1 << 24, maxSeries: 1e6 } });
  const get = async (path: string): Promise<string> => {
    const r = await app.request(path);
    assert.equal(r.status, 200, path);
    return r.text();
  };
  const paths = QUERIES.flatMap((q) => [0, 600, 1800].map((shift) => url(q, shift)));
  const alone = new Map<string, string>();
  for (const p of paths) alone.set(p, await get(p));
  for (const body of alone.values()) assert.match(body, /"status":"success".*\d/);
  // starts staggered by a few microtasks, so some queries select while others, which selected
  // earlier, wait between two selects or have not written their response yet
  const ticks = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++) await Promise.resolve();
  };
  for (let round = 0; round < 12; round++) {
    const order = paths.map((_, i) => paths[(i * 7 + round * 5) % paths.length]!);
    const answers = await Promise.all(
      order.map(async (p, i) => {
        await ticks((i * (round + 3)) % 41);
        return get(p);
      }),
    );
    order.forEach((p, i) => assert.equal(answers[i], alone.get(p), `round ${round}: ${p}`));
  }
});
