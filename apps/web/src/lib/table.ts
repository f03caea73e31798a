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

export function mergeRows(results: ReadonlyMap<ColumnId, ColumnResult>): Row[] {
  const rows = new Map<string, Record<string, number>>();
  for (const [col, values] of results) {
    for (const [name, v] of values) {
      if (!Number.isFinite(v)) continue;
      let r = rows.get(name);
      if (!r) rows.set(name, (r = {}));
      r[col] = v;
    }
  }
  return [...rows].map(([name, v]) => ({ name, values: derive(v) }));
}

function derive(v: Record<string, number>): Row['values'] {
  const out: Record<string, number> = { ...v };
  const pct = (a: string, b: string, key: string): void => {
    const x = v[a];
    const y = v[b];
    if (x !== undefined && y !== undefined && y > 0) out[key] = (100 * x) / y;
  };
  pct('cpu', 'cpuReq', 'cpuPctReq');
  pct('cpu', 'cpuLim', 'cpuPctLim');
  pct('mem', 'memLim', 'memPctLim');
  if (v.netRx !== undefined || v.netTx !== undefined) out.net = (v.netRx ?? 0) + (v.netTx ?? 0);
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

/** Sorts by a value (missing values last either way) or by name; ties by name. */
export function sortRows(rows: readonly Row[], column: string, descending: boolean): Row[] {
  const dir = descending ? -1 : 1;
  const byName = (a: Row, b: Row): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (column === 'name') return [...rows].sort((a, b) => dir * byName(a, b));
  const key = column as RowKey;
  return [...rows].sort((a, b) => {
    const x = a.values[key];
    const y = b.values[key];
    if (x === undefined && y === undefined) return byName(a, b);
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return x === y ? byName(a, b) : dir * (x - y);
  });
}
