/**
 * Fuzzing with fast-check: the parser and the engine answer every input with a result or a
 * QueryError — never another exception, never without end (each query is bounded by the engine's
 * timeout, sample and step limits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelsOf, matchesAll } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import { columnsOf } from '@fathom/storage';
import type { Querier, Queryable, SeriesData } from '@fathom/storage';
import { FUNCTIONS, QueryEngine, QueryError, parseQuery } from '../src/index.js';

const SERIES: SeriesData[] = [
  { labels: labelsOf({ __name__: 'up', job: 'a', le: '0.5' }), samples: columnsOf(Array.from({ length: 40 }, (_, i) => ({ tMs: i * 15_000, value: i % 3 }))) },
  { labels: labelsOf({ __name__: 'up', job: 'b', le: '+Inf' }), samples: columnsOf(Array.from({ length: 40 }, (_, i) => ({ tMs: i * 15_000 + 7, value: i * 2.5 }))) },
  { labels: labelsOf({ __name__: 'req_total', job: 'a' }), samples: columnsOf(Array.from({ length: 40 }, (_, i) => ({ tMs: i * 15_000, value: i < 20 ? i : i - 20 }))) },
];

const storage: Queryable = {
  querier: (): Promise<Querier> =>
    Promise.resolve({
      select: (m: readonly Matcher[]) => Promise.resolve(SERIES.filter((s) => matchesAll(s.labels, m))),
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
    }),
};

const engine = new QueryEngine(storage, { timeoutMs: 2_000, maxSamples: 200_000, maxSteps: 200 });

const TOKENS = ['up', 'req_total', '{job="a"}', '{job=~"a|b"}', '[1m]', '[5m:30s]', '(', ')', ',', ' by (job) ', ' without (le) ', ' offset 1m', ' @ 100', ' @ start()', ' + ', ' / ', ' > ', ' > bool ', ' and ', ' or ', ' unless ', ' on(job) ', ' group_left ', ' ^ ', '1', '0.5', '-2', 'NaN', 'Inf', '"x"', 'sum', 'topk', 'quantile', 'count_values', ...Object.keys(FUNCTIONS)];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((t) => t.join(''));

/** Mostly well-formed queries built from the grammar's shapes. */
const { expr } = fc.letrec<{ expr: string; vec: string }>((tie) => ({
  vec: fc.oneof(
    fc.constantFrom('up', 'req_total', 'up{job="a"}', '{__name__=~"up|req_total"}', 'nothing'),
    fc.tuple(fc.constantFrom('sum', 'avg', 'max', 'count', 'stddev', 'group'), tie('vec')).map(([a, v]) => `${a} by (job) (${v})`),
    fc.tuple(fc.constantFrom('topk', 'bottomk', 'quantile'), fc.constantFrom('1', '0.3', '-1', 'NaN'), tie('vec')).map(([a, p, v]) => `${a}(${p}, ${v})`),
    fc.tuple(fc.constantFrom('rate', 'increase', 'deriv', 'changes', 'max_over_time', 'stddev_over_time', 'absent_over_time'), tie('vec'), fc.constantFrom('1m', '5m', '30s:10s', '2m:')).map(([f, v, r]) => `${f}((${v})[${r}])`),
    fc.tuple(tie('vec'), fc.constantFrom('+', '-', '*', '/', '%', '^', '==', '>', 'and', 'or', 'unless', 'atan2'), fc.constantFrom('', 'on(job) ', 'ignoring(le) ', 'on(job) group_left ', 'bool '), tie('expr')).map(([a, op, m, b]) => `${a} ${op} ${m}${b}`),
    fc.tuple(fc.constantFrom('abs', 'sort', 'timestamp', 'absent', 'sgn', 'histogram_quantile(0.9,', 'label_replace('), tie('vec')).map(([f, v]) => (f.endsWith(',') ? `${f} ${v})` : f === 'label_replace(' ? `label_replace(${v}, "d", "$1", "job", "(.*)")` : `${f}(${v})`)),
    fc.tuple(tie('vec'), fc.constantFrom(' offset 1m', ' @ 300', ' offset -30s')).map(([v, m]) => (/^[a-z_{]/.test(v) && !v.includes('(') && !v.includes(' ') ? `${v}${m}` : v)),
  ),
  expr: fc.oneof(tie('vec'), fc.constantFrom('1', '2.5', 'time()', 'pi()', 'scalar(up)')),
}));

const outcome = { ok: 0, failed: 0 };

async function bounded(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    outcome.ok++;
  } catch (err) {
    outcome.failed++;
    if (!(err instanceof QueryError)) throw err;
  }
}

test('the parser answers any string with an AST or a QueryError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60 }), tokenSoup), (q) => {
      try {
        parseQuery(q);
      } catch (err) {
        assert.ok(err instanceof QueryError, `${q}: ${String(err)}`);
        assert.match(err.message, /^\d+:\d+: parse error: /);
      }
    }),
    { numRuns: 2_000 },
  );
});

test('deep nesting is refused, not a stack overflow', () => {
  assert.throws(() => parseQuery(`${'('.repeat(5_000)}1${')'.repeat(5_000)}`), QueryError);
  assert.throws(() => parseQuery(`${'-'.repeat(5_000)}1`), QueryError);
});

test('the engine answers generated queries with a result or a QueryError, instant and range', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(expr, tokenSoup), fc.integer({ min: 0, max: 700 }), async (q, tS) => {
      await bounded(() => engine.instantQuery(q, tS * 1000));
      await bounded(() => engine.rangeQuery(q, tS * 1000, tS * 1000 + 120_000, 15_000));
    }),
    { numRuns: 400 },
  );
  // The generator must reach the evaluator, not only the parser's error paths.
  assert.ok(outcome.ok > outcome.failed / 4, `only ${outcome.ok} of ${outcome.ok + outcome.failed} generated queries evaluated`);
});

test('a query that would run for ages stops at its timeout', async () => {
  await assert.rejects(engine.instantQuery('max_over_time(up[100d:1ms])', 600_000, { timeoutMs: 50 }), (err: unknown) => err instanceof QueryError && (err.type === 'timeout' || err.type === 'execution'));
});
