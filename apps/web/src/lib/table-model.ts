/**
 * The Explore table held by column: one Float64Array a column (NaN = no value), names interned
 * once. A column's answer replaces that column only; search and sort read the typed arrays and
 * return row indices, so 10,000 rows sort in milliseconds and only the rows on screen become
 * objects (`row`). Pure; mutable (the owner re-renders on `version`).
 */
import type { ColumnId } from './explore-queries.js';
import type { NumericFilter, ParsedSearch, Row, RowKey } from './table.js';

/** One column's answer: entity names and their values, parallel. */
export interface ColumnData {
  readonly names: readonly string[];
  readonly values: Float64Array;
}

const BASE: readonly ColumnId[] = ['cpu', 'cpuReq', 'cpuLim', 'mem', 'memLim', 'restarts', 'netRx', 'netTx', 'latency', 'errors'];
const KEYS: readonly RowKey[] = [...BASE, 'cpuPctReq', 'cpuPctLim', 'memPctLim', 'net'];

function pct(x: number, y: number): number {
  return y > 0 ? (100 * x) / y : Number.NaN;
}

export class TableModel {
  private readonly _index = new Map<string, number>();
  private readonly _names: string[] = [];
  private readonly _lower: string[] = [];
  private _capacity = 0;
  private readonly _cols = new Map<RowKey, Float64Array>();
  private readonly _max = new Map<RowKey, number>();
  /** 1 where any column has a value. */
  private _live = new Uint8Array(0);
  /** Row indices in name order, and each row's place in it (rebuilt when names are added). */
  private _byName: Uint32Array | undefined;
  private _rank: Uint32Array | undefined;
  /** Bumped by every change. */
  version = 0;

  /** Rows known (including ones that have no value any more). */
  get size(): number {
    return this._names.length;
  }

  name(i: number): string {
    return this._names[i] ?? '';
  }

  value(key: RowKey, i: number): number | undefined {
    const v = this._cols.get(key)?.[i];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  /** Whether any row has a value for the key. */
  has(key: RowKey): boolean {
    return this._max.has(key);
  }

  /** The largest value of the key over all rows, at least 0. */
  maxOf(key: RowKey): number {
    return Math.max(0, this._max.get(key) ?? 0);
  }

  /** One row as an object, for rendering. */
  row(i: number): Row {
    const values: Partial<Record<RowKey, number>> = {};
    for (const k of KEYS) {
      const v = this.value(k, i);
      if (v !== undefined) values[k] = v;
    }
    return { name: this.name(i), values };
  }

  /** Replaces one column with an answer; entities not in it have no value there any more. */
  setColumn(id: ColumnId, data: ColumnData): void {
    const { names, values } = data;
    const rows = new Uint32Array(names.length);
    for (let k = 0; k < names.length; k++) rows[k] = this._intern(names[k]!);
    const col = this._column(id).fill(Number.NaN);
    for (let k = 0; k < rows.length; k++) {
      const v = values[k]!;
      if (Number.isFinite(v)) col[rows[k]!] = v;
    }
    this._derive();
    this.version++;
  }

  /** Rows with a name and a value that match the search (free text in the name, numeric filters), in row order. */
  select(search: ParsedSearch): Uint32Array {
    const words = search.text === '' ? [] : search.text.split(' ');
    const filters = search.filters.map((f) => ({ f, col: this._cols.get(f.key) }));
    const out = new Uint32Array(this.size);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (this._live[i] !== 1 || this._names[i] === '') continue;
      const lower = this._lower[i]!;
      if (!words.every((w) => lower.includes(w))) continue;
      if (!filters.every(({ f, col }) => col !== undefined && passes(col[i]!, f))) continue;
      out[n++] = i;
    }
    return out.slice(0, n);
  }

  /**
   * The rows sorted by a key (missing values last either way, ties by name) or by name. The keys
   * are read once into a Float64Array; ties compare precomputed name ranks, not strings.
   */
  order(rows: Uint32Array, column: string, descending: boolean): Uint32Array {
    const { byName, rank } = this._nameOrder();
    if (column === 'name') {
      const member = new Uint8Array(this.size);
      for (const i of rows) member[i] = 1;
      const out = new Uint32Array(rows.length);
      let n = 0;
      for (let k = 0; k < byName.length; k++) {
        const i = byName[descending ? byName.length - 1 - k : k]!;
        if (member[i] === 1) out[n++] = i;
      }
      return out;
    }
    const col = this._cols.get(column as RowKey);
    const key = new Float64Array(this.size).fill(Number.POSITIVE_INFINITY);
    if (col !== undefined) {
      for (const i of rows) {
        const v = col[i]!;
        if (!Number.isNaN(v)) key[i] = descending ? -v : v;
      }
    }
    // ∞ − ∞ is NaN, so two missing values fall through to the name rank.
    return Uint32Array.from(rows).sort((a, b) => key[a]! - key[b]! || rank[a]! - rank[b]!);
  }

  private _intern(name: string): number {
    let i = this._index.get(name);
    if (i === undefined) {
      i = this._names.length;
      this._index.set(name, i);
      this._names.push(name);
      this._lower.push(name.toLowerCase());
      this._byName = undefined;
      this._rank = undefined;
      if (i >= this._capacity) this._grow(Math.max(64, this._capacity * 2));
    }
    return i;
  }

  private _grow(capacity: number): void {
    for (const [k, old] of this._cols) {
      const a = new Float64Array(capacity).fill(Number.NaN);
      a.set(old);
      this._cols.set(k, a);
    }
    this._capacity = capacity;
  }

  private _column(key: RowKey): Float64Array {
    let a = this._cols.get(key);
    if (a === undefined) this._cols.set(key, (a = new Float64Array(this._capacity).fill(Number.NaN)));
    return a;
  }

  /** Percentages and the network total from the base columns; which rows have values; maxima. */
  private _derive(): void {
    const n = this.size;
    const c = (k: RowKey): Float64Array => this._column(k);
    const [cpu, cpuReq, cpuLim, mem, memLim, netRx, netTx] = (['cpu', 'cpuReq', 'cpuLim', 'mem', 'memLim', 'netRx', 'netTx'] as const).map(c) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const [cpuPctReq, cpuPctLim, memPctLim, net] = (['cpuPctReq', 'cpuPctLim', 'memPctLim', 'net'] as const).map(c) as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      cpuPctReq[i] = pct(cpu[i]!, cpuReq[i]!);
      cpuPctLim[i] = pct(cpu[i]!, cpuLim[i]!);
      memPctLim[i] = pct(mem[i]!, memLim[i]!);
      const rx = netRx[i]!;
      const tx = netTx[i]!;
      net[i] = Number.isNaN(rx) && Number.isNaN(tx) ? Number.NaN : (Number.isNaN(rx) ? 0 : rx) + (Number.isNaN(tx) ? 0 : tx);
    }
    const base = BASE.flatMap((k) => this._cols.get(k) ?? []);
    this._live = new Uint8Array(n);
    for (const a of base) for (let i = 0; i < n; i++) if (!Number.isNaN(a[i]!)) this._live[i] = 1;
    this._max.clear();
    for (const [k, a] of this._cols) {
      let m = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) if (this._live[i] === 1 && a[i]! > m) m = a[i]!;
      if (m !== Number.NEGATIVE_INFINITY) this._max.set(k, m);
    }
  }

  private _nameOrder(): { byName: Uint32Array; rank: Uint32Array } {
    if (this._byName === undefined || this._rank === undefined) {
      const names = this._names;
      const byName = new Uint32Array(names.length);
      for (let i = 0; i < byName.length; i++) byName[i] = i;
      byName.sort((i, j) => (names[i]! < names[j]! ? -1 : names[i]! > names[j]! ? 1 : 0));
      const rank = new Uint32Array(names.length);
      for (let k = 0; k < byName.length; k++) rank[byName[k]!] = k;
      this._byName = byName;
      this._rank = rank;
    }
    return { byName: this._byName, rank: this._rank };
  }
}

function passes(v: number, f: NumericFilter): boolean {
  if (Number.isNaN(v)) return false;
  switch (f.op) {
    case '>': return v > f.value;
    case '<': return v < f.value;
    case '>=': return v >= f.value;
    case '<=': return v <= f.value;
    case '=': return v === f.value;
  }
}
