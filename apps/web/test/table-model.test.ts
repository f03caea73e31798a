/**
 * The column-held table (typed arrays, name ranks) against the row-object implementation it
 * replaced, kept here as the reference: same rows, same order, for every key and direction, on
 * generated tables with ties, missing values and entities that come and go between answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnId } from '../src/lib/explore-queries.js';
import { parseSearch } from '../src/lib/table.js';
import type { ParsedSearch, Row, RowKey } from '../src/lib/table.js';
import { TableModel } from '../src/lib/table-model.js';

type Answers = ReadonlyMap<ColumnId, ReadonlyMap<string, number>>;

const IDS: readonly ColumnId[] = ['cpu', 'cpuReq', 'cpuLim', 'mem', 'memLim', 'restarts', 'netRx', 'netTx', 'latency', 'errors'];
const KEYS: readonly string[] = ['name', ...IDS, 'cpuPctReq', 'cpuPctLim', 'memPctLim', 'net', 'unknown'];

// ── the reference: rows as objects, comparator over them (apps/web before the column model) ──
function mergeRows(results: Answers): Row[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const values of results.values()) for (const [name, v] of values) if (Number.isFinite(v) && !seen.has(name)) { seen.add(name); names.push(name); }
  const at = (id: ColumnId, name: string): number | undefined => {
    const v = results.get(id)?.get(name);
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const pct = (x: number | undefined, y: number | undefined): number | undefined => (x !== undefined && y !== undefined && y > 0 ? (100 * x) / y : undefined);
  return names.filter((n) => n !== '').map((name) => {
    const v = Object.fromEntries(IDS.map((id) => [id, at(id, name)])) as Record<ColumnId, number | undefined>;
    const net = v.netRx !== undefined || v.netTx !== undefined ? (v.netRx ?? 0) + (v.netTx ?? 0) : undefined;
    const all: Record<string, number | undefined> = { ...v, cpuPctReq: pct(v.cpu, v.cpuReq), cpuPctLim: pct(v.cpu, v.cpuLim), memPctLim: pct(v.mem, v.memLim), net };
    return { name, values: Object.fromEntries(Object.entries(all).filter(([, x]) => x !== undefined)) };
  });
}

function filterRows(rows: readonly Row[], search: ParsedSearch): Row[] {
  const words = search.text === '' ? [] : search.text.split(' ');
  const passes = (r: Row, f: ParsedSearch['filters'][number]): boolean => {
    const v = r.values[f.key];
    if (v === undefined) return false;
    return f.op === '>' ? v > f.value : f.op === '<' ? v < f.value : f.op === '>=' ? v >= f.value : f.op === '<=' ? v <= f.value : v === f.value;
  };
  return rows.filter((r) => words.every((w) => r.name.toLowerCase().includes(w)) && search.filters.every((f) => passes(r, f)));
}

function sortRows(rows: readonly Row[], column: string, descending: boolean): Row[] {
  const byName = (a: Row, b: Row): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const dir = descending ? -1 : 1;
  if (column === 'name') return [...rows].sort((a, b) => dir * byName(a, b));
  return [...rows].sort((a, b) => {
    const x = a.values[column as RowKey];
    const y = b.values[column as RowKey];
    if (x === undefined || y === undefined) return x === undefined && y === undefined ? byName(a, b) : x === undefined ? 1 : -1;
    return x === y ? byName(a, b) : dir * (x - y);
  });
}

// ── generated answers ──
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function answers(seed: number, entities: number): Answers {
  const rnd = random(seed);
  const names = Array.from({ length: entities }, (_, i) => `${['api', 'Api', 'db', 'job', 'web-production'][i % 5]!}-${Math.floor(rnd() * entities).toString(36)}-${i}`);
  names.push('');
  const out = new Map<ColumnId, Map<string, number>>();
  for (const id of IDS) {
    const col = new Map<string, number>();
    for (const n of names) {
      const r = rnd();
      if (r < 0.2) continue; // absent from this answer
      // Few distinct values, so many ties; some NaN and ±Inf as from divisions by zero; some zeros.
      col.set(n, r < 0.25 ? NaN : r < 0.27 ? Infinity : r < 0.3 ? 0 : Math.round(rnd() * 20) / 4);
    }
    out.set(id, col);
  }
  return out;
}

function fill(model: TableModel, a: Answers): void {
  for (const [id, col] of a) model.setColumn(id, { names: [...col.keys()], values: Float64Array.from(col.values()) });
}

const SEARCHES = ['', 'api', 'API web', 'cpu>1 mem<3', 'mem%>50', 'net>=2 latency<=3', 'restarts=0', 'errors>0 db', 'zzz'];

test('the column model lists and sorts exactly as the row objects did, for every key, direction and search', () => {
  for (const [seed, entities] of [[1, 40], [7, 500], [42, 3000]] as const) {
    const a = answers(seed, entities);
    const model = new TableModel();
    fill(model, a);
    const rows = mergeRows(a);
    for (const text of SEARCHES) {
      const search = parseSearch(text);
      const expected = filterRows(rows, search);
      const selected = model.select(search);
      assert.deepEqual(Array.from(selected, (i) => model.row(i)).sort((x, y) => (x.name < y.name ? -1 : 1)), [...expected].sort((x, y) => (x.name < y.name ? -1 : 1)), `rows, seed ${seed}, "${text}"`);
      for (const key of KEYS) {
        for (const descending of [false, true]) {
          const want = sortRows(expected, key, descending).map((r) => r.name);
          const got = Array.from(model.order(selected, key, descending), (i) => model.name(i));
          assert.deepEqual(got, want, `seed ${seed}, "${text}", ${descending ? '-' : ''}${key}`);
        }
      }
    }
  }
});

test('answers arriving one by one and replacing earlier ones give the table of the latest answers', () => {
  const before = answers(3, 300);
  const after = answers(4, 300);
  const model = new TableModel();
  fill(model, before);
  fill(model, after);
  const want = sortRows(mergeRows(after), 'mem', true).map((r) => r.name);
  assert.deepEqual(Array.from(model.order(model.select(parseSearch('')), 'mem', true), (i) => model.name(i)), want);
  const fresh = new TableModel();
  fill(fresh, after);
  for (const key of ['cpu', 'net', 'memPctLim'] as const) assert.equal(model.maxOf(key), fresh.maxOf(key), key);
});
