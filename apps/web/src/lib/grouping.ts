/**
 * Groupings: ordered lists of labels to drill through. Built in: logical (cluster › namespace ›
 * workload › pod › container › process) and physical (cluster › node › pod › container ›
 * process); users define their own as any labels in any order. A scope is the values chosen
 * for the first levels; the table shows the next level's entities within it. Pure.
 */

/** The pseudo-label of the process level: the process name (`comm`) of `proc_*` metrics. */
export const PROCESS_LEVEL = 'comm';

export interface Grouping {
  readonly id: string;
  readonly title: string;
  readonly levels: readonly string[];
}

export const BUILTIN_GROUPINGS: readonly Grouping[] = [
  { id: 'logical', title: 'Logical', levels: ['cluster', 'namespace', 'workload', 'pod', 'container', PROCESS_LEVEL] },
  { id: 'physical', title: 'Physical', levels: ['cluster', 'node', 'pod', 'container', PROCESS_LEVEL] },
  // Hosts as agents report them, with or without Kubernetes (the agent's `host` label).
  { id: 'hosts', title: 'Hosts', levels: ['host', 'container', PROCESS_LEVEL] },
];

const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Resolves a grouping id: a built-in id, or `custom:label1,label2,...` (user-defined).
 * Throws an Error naming the bad label.
 */
export function groupingFor(id: string): Grouping {
  const builtin = BUILTIN_GROUPINGS.find((g) => g.id === id);
  if (builtin) return builtin;
  if (id.startsWith('custom:')) {
    const levels = id.slice('custom:'.length).split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (levels.length === 0) throw new Error('a custom grouping needs at least one label');
    for (const l of levels) if (!LABEL_RE.test(l)) throw new Error(`"${l}" is not a valid label name`);
    if (new Set(levels).size !== levels.length) throw new Error('a custom grouping lists a label twice');
    return { id, title: levels.join(' › '), levels };
  }
  throw new Error(`unknown grouping "${id}"`);
}

export function customGroupingId(levels: readonly string[]): string {
  return `custom:${levels.join(',')}`;
}

/** The label whose values the table lists at this depth, or undefined past the last level. */
export function levelLabel(g: Grouping, path: readonly string[]): string | undefined {
  return g.levels[path.length];
}

/** The kind of the scope, for choosing its dashboard: the deepest chosen level's label. */
export function scopeKind(g: Grouping, path: readonly string[]): string {
  if (path.length === 0) return 'overview';
  const label = g.levels[path.length - 1]!;
  return label === PROCESS_LEVEL ? 'process' : label;
}

/** Label → value of the scope (the process level becomes `comm`). */
export function scopeLabels(g: Grouping, path: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  path.forEach((v, i) => (out[g.levels[i]!] = v));
  return out;
}

export interface Crumb {
  readonly label: string;
  readonly value: string;
  /** The path that shows this crumb's scope. */
  readonly path: readonly string[];
}

export function breadcrumbs(g: Grouping, path: readonly string[]): Crumb[] {
  return path.map((value, i) => ({ label: g.levels[i]!, value, path: path.slice(0, i + 1) }));
}
