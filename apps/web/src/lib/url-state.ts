/**
 * The whole view state lives in the URL's query string, so a link reproduces exactly what
 * someone saw: view, grouping, scope path, time range, live mode, sort, search and dashboard.
 * `parseState` never throws: a bad parameter falls back to its default and is reported. Pure.
 */
import { groupingFor } from './grouping.js';
import { parseShortDuration, shortDuration } from './time-range.js';
import type { TimeRange } from './time-range.js';

export type View = 'explore' | 'dashboards' | 'dashboard' | 'alerts' | 'rules' | 'silences';

export interface SortState {
  readonly column: string;
  readonly descending: boolean;
}

export interface AppState {
  readonly view: View;
  readonly grouping: string;
  readonly path: readonly string[];
  readonly range: TimeRange;
  readonly live: boolean;
  readonly sort: SortState;
  readonly search: string;
  readonly dashboard?: string;
  /** The rule file open in the editor (view `rules`), `file`. */
  readonly ruleFile?: string | undefined;
  /** Dashboard variable values, `var-<name>`. */
  readonly vars: Readonly<Record<string, string>>;
}

export const DEFAULT_STATE: AppState = {
  view: 'explore',
  grouping: 'logical',
  path: [],
  range: { kind: 'relative', durationMs: 3_600_000 },
  live: true,
  sort: { column: 'cpu', descending: true },
  search: '',
  vars: {},
};

export interface ParsedState {
  readonly state: AppState;
  /** What was wrong with the URL, for a notice; empty when all was understood. */
  readonly problems: readonly string[];
}

const VIEWS: readonly View[] = ['explore', 'dashboards', 'dashboard', 'alerts', 'rules', 'silences'];

export function parseState(search: string): ParsedState {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  let s: AppState = DEFAULT_STATE;
  const view = q.get('view');
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) s = { ...s, view: view as View };
    else problems.push(`unknown view "${view}"`);
  }
  const grouping = q.get('group');
  if (grouping !== null) {
    try {
      s = { ...s, grouping: groupingFor(grouping).id };
    } catch (err) {
      problems.push(`grouping: ${(err as Error).message}`);
    }
  }
  const path = q.getAll('at');
  if (path.length > 0) s = { ...s, path: path.slice(0, groupingFor(s.grouping).levels.length) };
  s = { ...s, ...parseRange(q, problems) };
  const sort = q.get('sort');
  if (sort !== null && sort !== '') s = { ...s, sort: { column: sort.replace(/^-/, ''), descending: sort.startsWith('-') } };
  s = { ...s, search: q.get('q') ?? '' };
  const dash = q.get('dash');
  if (dash !== null) s = { ...s, dashboard: dash };
  const file = q.get('file');
  if (file !== null && file !== '') s = { ...s, ruleFile: file };
  const vars: Record<string, string> = {};
  for (const [k, v] of q) if (k.startsWith('var-')) vars[k.slice(4)] = v;
  return { state: { ...s, vars }, problems };
}

function parseRange(q: URLSearchParams, problems: string[]): { range: TimeRange; live: boolean } {
  const from = q.get('from');
  const to = q.get('to');
  const last = q.get('last');
  if (from !== null && to !== null) {
    const startMs = Number(from);
    const endMs = Number(to);
    if (Number.isFinite(startMs) && Number.isFinite(endMs) && startMs < endMs) return { range: { kind: 'absolute', startMs, endMs }, live: false };
    problems.push(`time range from=${from} to=${to} is not a window (milliseconds, from < to)`);
  }
  const live = q.get('live') !== '0';
  if (last !== null) {
    const durationMs = parseShortDuration(last);
    if (durationMs !== undefined) return { range: { kind: 'relative', durationMs }, live };
    problems.push(`"last=${last}" is not a duration like 15m, 1h or 1d`);
  }
  return { range: DEFAULT_STATE.range, live };
}

/** The query string for a state (defaults left out, so links stay short). */
export function formatState(s: AppState): string {
  const q = new URLSearchParams();
  if (s.view !== DEFAULT_STATE.view) q.set('view', s.view);
  if (s.grouping !== DEFAULT_STATE.grouping) q.set('group', s.grouping);
  for (const p of s.path) q.append('at', p);
  if (s.range.kind === 'absolute') {
    q.set('from', String(Math.round(s.range.startMs)));
    q.set('to', String(Math.round(s.range.endMs)));
  } else {
    if (s.range.durationMs !== (DEFAULT_STATE.range as { durationMs: number }).durationMs) q.set('last', shortDuration(s.range.durationMs));
    if (!s.live) q.set('live', '0');
  }
  if (s.sort.column !== DEFAULT_STATE.sort.column || s.sort.descending !== DEFAULT_STATE.sort.descending) q.set('sort', `${s.sort.descending ? '-' : ''}${s.sort.column}`);
  if (s.search !== '') q.set('q', s.search);
  if (s.dashboard !== undefined) q.set('dash', s.dashboard);
  if (s.ruleFile !== undefined) q.set('file', s.ruleFile);
  for (const [k, v] of Object.entries(s.vars)) q.set(`var-${k}`, v);
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}
