/**
 * The query API's result bytes (result-json.ts) against `JSON.stringify` of the same envelope built
 * from objects (formatResult), on every result type and on the values and times whose text is easy
 * to get wrong: exponents, negative zero, NaN and infinities, unsafe integers, fractional and
 * negative timestamps, times past the exact-milliseconds limit, label values needing escapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf } from '@fathom/model';
import type { QueryResult } from '@fathom/query';
import { columnsOf } from '@fathom/storage';
import { formatResult } from '../src/prom-api.js';
import { queryResultJson } from '../src/result-json.js';

const VALUES = [
  0, -0, 1, -1, 7, 42, 1e15, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 1e21, 1.5e300, -1e21,
  0.5, -0.25, 0.1, 1 / 3, 123456.789, 1e-6, 1e-7, 5e-324, -1.2345e-10, 1.7976931348623157e308,
  NaN, Infinity, -Infinity,
];
const TIMES = [
  0, 1, 5, 10, 50, 99, 100, 120, 999, 1000, 1001, 1010, 1500, 60_000, 1_733_356_800_000, 1_733_356_800_123, 1_733_356_800_005,
  2 ** 42 - 1, 2 ** 42, 2 ** 42 + 7, 2 ** 52 + 123, 2 ** 53 - 1, -1, -1500, -1_000_000_001, 1.5, 1733356800123.25, Infinity, -Infinity,
];
const LABELS = [
  labelsOf({}),
  labelsOf({ __name__: 'up', job: 'node' }),
  labelsOf({ __name__: 'x', quote: 'a"b', back: 'c\\d', nl: 'e\nf', ctl: '\u0001\u001f', uni: 'ünï ☃ 𝄞', lone: '\ud800' }),
];

function reference(r: QueryResult, warnings?: readonly string[], infos?: readonly string[]): string {
  return JSON.stringify({ status: 'success', data: formatResult(r), ...(warnings?.length ? { warnings } : {}), ...(infos?.length ? { infos } : {}) });
}

function check(r: QueryResult, warnings?: readonly string[], infos?: readonly string[]): void {
  assert.equal(Buffer.from(queryResultJson(r, warnings, infos)).toString('utf8'), reference(r, warnings, infos));
}

/** A deterministic stream of awkward numbers (xorshift over the bits of doubles and of integers). */
function* awkward(n: number, seed: number): Generator<number> {
  let x = seed >>> 0 || 1;
  const next = (): number => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    switch (next() % 4) {
      case 0: // any double
        u[0] = next();
        u[1] = next();
        yield f[0]!;
        break;
      case 1: // a timestamp-like integer of milliseconds
        yield 1_600_000_000_000 + (next() % 400_000_000) * 1000 + (next() % 1000);
        break;
      case 2: // a small decimal
        yield (next() % 2_000_000) / 1000 - 1000;
        break;
      default: // an integer of any size
        yield Math.round((next() - 2 ** 31) * 2 ** (next() % 40));
    }
  }
}

test('scalar and string results: the same bytes as JSON.stringify of the envelope', () => {
  for (const tMs of TIMES) for (const value of VALUES) check({ resultType: 'scalar', tMs, value });
  for (const value of ['', 'plain', 'q"uote', 'back\\slash', 'ünï\n']) check({ resultType: 'string', tMs: 1_733_356_800_500, value });
});

test('vector results: labels, times and values as JSON.stringify writes them', () => {
  for (const tMs of TIMES) {
    check({ resultType: 'vector', tMs, samples: VALUES.map((value, i) => ({ labels: LABELS[i % LABELS.length]!, value })) });
  }
  check({ resultType: 'vector', tMs: 0, samples: [] });
});

test('matrix results: every point, empty series and empty results', () => {
  const series = LABELS.map((labels, i) => ({
    labels,
    samples: columnsOf(TIMES.flatMap((tMs, j) => (i === 1 && j > 3 ? [] : [{ tMs, value: VALUES[(i * 7 + j) % VALUES.length]! }]))),
  }));
  check({ resultType: 'matrix', series });
  check({ resultType: 'matrix', series: [{ labels: LABELS[1]!, samples: columnsOf([]) }] });
  check({ resultType: 'matrix', series: [] });
});

test('seeded awkward numbers as times and values match String and formatValue', () => {
  const times = [...awkward(4000, 7)].filter((t) => Number.isFinite(t));
  const values = [...awkward(4000, 11)];
  const samples = times.map((tMs, i) => ({ tMs, value: values[i]! }));
  check({ resultType: 'matrix', series: [{ labels: LABELS[1]!, samples: columnsOf(samples) }] });
});

test('warnings and infos follow the data, only when present', () => {
  const r: QueryResult = { resultType: 'scalar', tMs: 1000, value: 1 };
  check(r, ['careful "here"'], ['tier 1m answered']);
  check(r, [], ['tier 1m answered']);
  check(r, undefined, []);
});

test('a result far larger than the first guess grows the buffer without losing bytes', () => {
  // values whose text is far longer than the per-point guess
  const samples = Array.from({ length: 20_000 }, (_, i) => ({ tMs: 1_733_356_800_000 + i * 10_001, value: (i + 0.1234567890123) * 1e-12 }));
  check({ resultType: 'matrix', series: [{ labels: LABELS[2]!, samples: columnsOf(samples) }] });
});
