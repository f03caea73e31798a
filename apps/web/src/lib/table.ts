/**
 * The Explore table's rows and its search box: free text and numeric filters (`cpu>0.5 mem%>80`).
 * The table itself is held by column in table-model.ts. Pure.
 */
import type { ColumnId } from './explore-queries.js';

export interface Row {
  readonly name: string;
  readonly values: Partial<Record<ColumnId | 'cpuPctReq' | 'cpuPctLim' | 'memPctLim' | 'net', number>>;
}

export type RowKey = keyof Row['values'];

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
