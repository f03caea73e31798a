/**
 * From an alert to Explore at its scope and time range: the built-in grouping whose levels the
 * alert's labels fill deepest (logical, physical, hosts), else a custom grouping of the
 * Kubernetes labels present; the range from a margin before the alert became active to a margin
 * after it ended (or now). The same rule as the links in notifications (`@fathom/alerts`'
 * exploreUrl), so both open the same view. Pure.
 */
import { BUILTIN_GROUPINGS, customGroupingId, PROCESS_LEVEL } from './grouping.js';
import type { AppState } from './url-state.js';

/** Context shown before the alert started and after it ended. */
export const ALERT_MARGIN_MS = 30 * 60_000;
const CUSTOM_ORDER = ['cluster', 'namespace', 'workload', 'node', 'host', 'pod', 'container'];

export function alertScope(labels: Readonly<Record<string, string>>): { grouping: string; path: string[] } {
  let best = { grouping: 'logical', path: [] as string[] };
  for (const g of BUILTIN_GROUPINGS) {
    const path: string[] = [];
    for (const l of g.levels) {
      const v = l === PROCESS_LEVEL ? undefined : labels[l];
      if (v === undefined || v === '') break;
      path.push(v);
    }
    if (path.length > best.path.length) best = { grouping: g.id, path };
  }
  if (best.path.length > 0) return best;
  const present = CUSTOM_ORDER.filter((l) => labels[l] !== undefined && labels[l] !== '');
  if (present.length === 0) return best;
  return { grouping: customGroupingId(present), path: present.map((l) => labels[l]!) };
}

/**
 * The Explore state for an alert active from `startMs` until `endMs` (now while it fires): a
 * margin either side, never past now.
 */
export function alertExploreState(labels: Readonly<Record<string, string>>, startMs: number, endMs: number, nowMs: number): Partial<AppState> {
  const { grouping, path } = alertScope(labels);
  const toMs = Math.round(Math.min(nowMs, endMs + ALERT_MARGIN_MS));
  const fromMs = Math.round(Math.min(startMs - ALERT_MARGIN_MS, toMs - ALERT_MARGIN_MS));
  return { view: 'explore', grouping, path, search: '', live: false, range: { kind: 'absolute', startMs: fromMs, endMs: toMs } };
}

/** The labels that say where an alert is (shown as its scope), in hierarchy order. */
export function scopeText(labels: Readonly<Record<string, string>>): string {
  return ['cluster', 'namespace', 'workload', 'node', 'pod', 'container', 'service', 'host']
    .filter((l) => labels[l] !== undefined && labels[l] !== '' && !(l === 'host' && labels.node === labels.host))
    .map((l) => `${l}=${labels[l]!}`)
    .join(' · ');
}
