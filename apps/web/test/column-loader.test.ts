/** Column rounds: order, bounded concurrency, one round at a time for a moving time, aborts, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedColumn } from '../src/lib/column-data.js';
import { ColumnLoader } from '../src/lib/column-loader.js';
import type { ColumnRequest, ColumnSource } from '../src/lib/column-source.js';
import { columnQueries, loadOrder } from '../src/lib/explore-queries.js';
import type { ColumnQuery } from '../src/lib/explore-queries.js';

interface Call {
  settled: boolean;
  readonly req: ColumnRequest;
  readonly signal: AbortSignal;
  readonly answer: (names: string[], values: number[]) => void;
  readonly fail: (message: string) => void;
}

function fakeSource(): { source: ColumnSource; calls: Call[]; inFlight: () => number } {
  const calls: Call[] = [];
  let open = 0;
  const source: ColumnSource = {
    load(req, signal) {
      open++;
      return new Promise<LoadedColumn>((resolve, reject) => {
        const settle = (): void => {
          open--;
          call.settled = true;
        };
        const call: Call = {
          settled: false,
          req,
          signal,
          answer: (names, values) => (settle(), resolve({ data: { names, values: Float64Array.from(values) }, timing: { startMs: performance.timeOrigin, parsedMs: performance.timeOrigin + performance.now() } })),
          fail: (message) => (settle(), reject(new Error(message))),
        };
        calls.push(call);
        signal.addEventListener('abort', () => (settle(), reject(new DOMException('aborted', 'AbortError'))), { once: true });
      });
    },
  };
  return { source, calls, inFlight: () => open };
}

const ticks = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const QUERIES = columnQueries({ by: 'pod', scope: {}, rateMs: 60_000, rangeMs: 3_600_000 });
const idOf = (c: Call): string => QUERIES.find((q) => q.expr === c.req.expr)!.id;

/** Answers every open call, and the ones they lead to, until none is open. */
async function answerOpen(calls: Call[], names: string[], value: number): Promise<void> {
  for (let open = calls.filter((c) => !c.settled); open.length > 0; open = calls.filter((c) => !c.settled)) {
    for (const c of open) c.answer(names, names.map(() => value));
    await ticks();
  }
}

test('the sorted-by column goes first, then the cheapest; the histogram last', () => {
  assert.deepEqual(loadOrder(QUERIES, 'cpu').map((q) => q.id), ['cpu', 'memLim', 'cpuLim', 'cpuReq', 'mem', 'netTx', 'netRx', 'restarts', 'errors', 'latency']);
  assert.deepEqual(loadOrder(QUERIES, 'memPctLim').slice(0, 2).map((q) => q.id), ['mem', 'memLim']);
  assert.deepEqual(loadOrder(QUERIES, 'name')[0]!.id, 'memLim');
  assert.equal(loadOrder(QUERIES, 'latency')[0]!.id, 'latency');
});

test('a round asks every column once, in order, the first alone then two at a time; each answer fills the table', async () => {
  const { source, calls, inFlight } = fakeSource();
  let changes = 0;
  const loader = new ColumnLoader(source, 'pod', () => changes++);
  const ordered: ColumnQuery[] = loadOrder(QUERIES, 'cpu');
  loader.request(ordered, 1000);
  loader.request(ordered, 1000);
  assert.deepEqual(calls.map(idOf), ['cpu'], 'the first column alone; asking again changes nothing');
  calls[0]!.answer(['a', 'b'], [0, 1]);
  await ticks();
  assert.deepEqual(calls.map(idOf), ['cpu', 'memLim', 'cpuLim'], 'then two at a time');
  let most = 0;
  for (let k = 1; k < calls.length; k++) {
    most = Math.max(most, inFlight());
    calls[k]!.answer(['a', 'b'], [k, 1]);
    await ticks();
  }
  assert.equal(most, 2);
  assert.deepEqual(calls.map(idOf), ordered.map((q) => q.id));
  assert.ok(calls.every((c) => c.req.atMs === 1000 && c.req.by === 'pod'));
  assert.equal(loader.pending, 0);
  assert.ok(loader.complete);
  assert.equal(loader.model.value('cpu', 0), 0);
  assert.ok(changes >= QUERIES.length);
  loader.request(ordered, 1000);
  assert.equal(calls.length, QUERIES.length, 'loaded: no second fetch for the same time');
});

test('a new time for the same queries waits for the running round; other queries abort it', async () => {
  const { source, calls } = fakeSource();
  const loader = new ColumnLoader(source, 'pod', () => undefined);
  loader.request(QUERIES, 1000);
  calls[0]!.answer(['a'], [1]);
  await ticks();
  loader.request(QUERIES, 2000);
  loader.request(QUERIES, 3000);
  assert.ok(calls.every((c) => !c.signal.aborted), 'live ticks do not abort the round');
  assert.ok(!loader.complete);
  // Answer the first round only: the next one must not start before it is done.
  while (calls.filter((c) => c.req.atMs === 1000).length < QUERIES.length || calls.some((c) => !c.settled && c.req.atMs === 1000)) {
    for (const c of calls.filter((x) => !x.settled && x.req.atMs === 1000)) c.answer(['a'], [1]);
    await ticks();
  }
  assert.deepEqual(calls.map((c) => c.req.atMs), [...Array<number>(QUERIES.length).fill(1000), 3000], 'then one round at the latest time, not one a tick');
  assert.equal(loader.model.value('cpu', 0), 1, 'values stay until replaced');
  // A different window length changes the queries: the running round is aborted.
  const running = calls.filter((c) => !c.settled);
  assert.ok(running.length > 0);
  loader.request(columnQueries({ by: 'pod', scope: {}, rateMs: 60_000, rangeMs: 600_000 }), 4000);
  assert.ok(running.every((c) => c.signal.aborted));
  const fresh = calls.filter((c) => !c.settled);
  assert.ok(fresh.length === 1 && fresh.every((c) => c.req.atMs === 4000));
  fresh[0]!.fail('boom');
  await ticks();
  await answerOpen(calls, ['b'], 2);
  assert.ok(loader.complete);
  assert.equal(calls.filter((c) => c.req.atMs === 4000).length, QUERIES.length);
  assert.equal(loader.errors.length, 1, loader.errors.join('; '));
  assert.match(loader.errors[0]!, /^[a-zA-Z]+: boom$/);
  loader.stop();
});

test('a stopped loader loads again when asked (React StrictMode unmounts and remounts the effect)', async () => {
  const { source, calls } = fakeSource();
  const loader = new ColumnLoader(source, 'pod', () => undefined);
  loader.request(QUERIES, 1000);
  loader.stop();
  assert.ok(calls[0]!.signal.aborted, 'stop aborts the running round');
  loader.request(QUERIES, 1000);
  assert.equal(calls.length, 2);
  assert.ok(!calls[1]!.signal.aborted);
  await answerOpen(calls, ['a'], 1);
  assert.ok(loader.complete);
  assert.equal(calls.filter((c) => c.req.atMs === 1000 && !c.signal.aborted).length, QUERIES.length);
});
