/**
 * The Explore table's rows: merging per-column query results into one row per entity, derived
 * percentages, search, numeric filters (`cpu>0.5 mem%>80`), and sorting. Pure.
 */
import type { ColumnId } from './explore-queries.js';

export interface Row {
  readonly name: string;
  readonly values: Partial<Record<ColumnId | 'cpuPctReq' | 'cpuPctLim' | 'memPctLim' | 'net', number>>;
}

export type RowKey = keyof Row['values'];

/** One column's result: entity name → value (NaN and ±Inf dropped, as from a division by zero). */
export type ColumnResult = ReadonlyMap<string, number>;

const COLUMN_IDS: readonly ColumnId[] = ['cpu', 'cpuReq', 'cpuLim', 'mem', 'memLim', 'restarts', 'netRx', 'netTx', 'latency', 'errors'];

/**
 * One row per entity named in any column. Values go through typed arrays (NaN = none) and every
 * row's `values` has the same shape, so merging and sorting 10,000 rows stays in milliseconds.
 */
export function mergeRows(results: ReadonlyMap<ColumnId, ColumnResult>): Row[] {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const values of results.values()) {
    for (const [name, v] of values) {
      if (Number.isFinite(v) && !index.has(name)) {
        index.set(name, names.length);
        names.push(name);
      }
    }
  }
  const n = names.length;
  const col: Partial<Record<ColumnId, Float64Array>> = {};
  for (const [id, values] of results) {
    const a = new Float64Array(n).fill(Number.NaN);
    for (const [name, v] of values) {
      const i = index.get(name);
      if (i !== undefined && Number.isFinite(v)) a[i] = v;
    }
    col[id] = a;
  }
  const at = (id: ColumnId, i: number): number | undefined => {
    const v = col[id]?.[i];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  };
  const pct = (x: number | undefined, y: number | undefined): number | undefined => (x !== undefined && y !== undefined && y > 0 ? (100 * x) / y : undefined);
  const out: Row[] = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const [cpu, cpuReq, cpuLim, mem, memLim, restarts, netRx, netTx, latency, errors] = COLUMN_IDS.map((id) => at(id, i));
    const net = netRx !== undefined || netTx !== undefined ? (netRx ?? 0) + (netTx ?? 0) : undefined;
    // Absent values are `undefined` keys: one object shape for every row.
    const values = { cpu, cpuReq, cpuLim, mem, memLim, restarts, netRx, netTx, latency, errors, cpuPctReq: pct(cpu, cpuReq), cpuPctLim: pct(cpu, cpuLim), memPctLim: pct(mem, memLim), net };
    out[i] = { name: names[i]!, values: values as Row['values'] };
  }
  return out;
}

export interface NumericFilter {
  readonly key: RowKey;
  readonly op: '>' | '<' | '>=' | '<=' | '=';
  readonly value: number;
}

/** Names users type for the filterable values. */
export const FILTER_KEYS: Readonly<Record<string, RowKey>> = {
  cpu: 'cpu', 'cpu%req': 'cpuPctReq', 'cpu%lim': 'cpuPctLim', mem: 'mem', 'mem%': 'memPctLim', 'mem%lim': 'memPctLim',
  restarts: 'restarts', net: 'net', latency: 'latency', errors: 'errors',
};

const UNIT: Readonly<Record<string, number>> = { '': 1, k: 1e3, m: 1e-3, ms: 1e-3, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };

export interface ParsedSearch {
  readonly text: string;
  readonly filters: readonly NumericFilter[];
  readonly errors: readonly string[];
}

/**
 * Splits the search box into free text (matched against names) and numeric filters like
 * `cpu>0.5`, `mem>512Mi`, `mem%>80`, `restarts>=1`, `latency>200ms`. Unknown keys are errors.
 */
export function parseSearch(input: string): ParsedSearch {
  const text: string[] = [];
  const filters: NumericFilter[] = [];
  const errors: string[] = [];
  for (const tok of input.trim().split(/\s+/).filter((t) => t !== '')) {
    const m = /^([a-z%]+)(>=|<=|>|<|=)([0-9.]+)([a-zA-Z]*)$/.exec(tok);
    if (!m) {
      text.push(tok.toLowerCase());
      continue;
    }
    const key = FILTER_KEYS[m[1]!];
    const unit = UNIT[m[4]!.toLowerCase()];
    const value = Number(m[3]);
    if (key === undefined) errors.push(`unknown column "${m[1]!}" (use ${Object.keys(FILTER_KEYS).join(', ')})`);
    else if (unit === undefined) errors.push(`unknown unit "${m[4]!}" in ${tok}`);
    else if (!Number.isFinite(value)) errors.push(`not a number in ${tok}`);
    else filters.push({ key, op: m[2] as NumericFilter['op'], value: value * unit });
  }
  return { text: text.join(' '), filters, errors };
}

function passes(row: Row, f: NumericFilter): boolean {
  const v = row.values[f.key];
  if (v === undefined) return false;
  switch (f.op) {
    case '>': return v > f.value;
    case '<': return v < f.value;
    case '>=': return v >= f.value;
    case '<=': return v <= f.value;
    case '=': return v === f.value;
  }
}

export function filterRows(rows: readonly Row[], search: ParsedSearch): Row[] {
  const words = search.text === '' ? [] : search.text.split(' ');
  return rows.filter((r) => words.every((w) => r.name.toLowerCase().includes(w)) && search.filters.every((f) => passes(r, f)));
}

/**
 * Sorts by a value (missing values last either way) or by name; ties by name. The keys are read
 * once into typed arrays and indices are sorted (10,000 rows: milliseconds, not a frame's worth
 * of property lookups per comparison).
 */
export function sortRows(rows: readonly Row[], column: string, descending: boolean): Row[] {
  const n = rows.length;
  const names = rows.map((r) => r.name);
  const byName = (i: number, j: number): number => (names[i]! < names[j]! ? -1 : names[i]! > names[j]! ? 1 : 0);
  const idx = Array.from({ length: n }, (_, i) => i);
  const dir = descending ? -1 : 1;
  if (column === 'name') {
    idx.sort((i, j) => dir * byName(i, j));
  } else {
    const key = column as RowKey;
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = rows[i]!.values[key] ?? Number.NaN;
    idx.sort((i, j) => {
      const x = vals[i]!;
      const y = vals[j]!;
      const mx = Number.isNaN(x);
      const my = Number.isNaN(y);
      if (mx || my) return mx && my ? byName(i, j) : mx ? 1 : -1;
      return x === y ? byName(i, j) : dir * (x - y);
    });
  }
  return idx.map((i) => rows[i]!);
}
