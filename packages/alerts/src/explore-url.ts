/**
 * Links from an alert to the web UI at the alert's scope and time range, in the UI's own URL
 * state (apps/web/src/lib/url-state.ts: `group`, repeated `at` = the scope path, `from`/`to` in
 * ms, `live=0` implied by an absolute range). The grouping is the built-in one whose levels the
 * alert's labels fill deepest (logical, physical, hosts), else a custom grouping of the
 * Kubernetes labels present. Pure.
 */
import type { Labels } from '@fathom/model';

const GROUPINGS: readonly { id: string; levels: readonly string[] }[] = [
  { id: 'logical', levels: ['cluster', 'namespace', 'workload', 'pod', 'container'] },
  { id: 'physical', levels: ['cluster', 'node', 'pod', 'container'] },
  { id: 'hosts', levels: ['host', 'container'] },
];
const CUSTOM_ORDER = ['cluster', 'namespace', 'workload', 'node', 'host', 'pod', 'container'];

/** Context shown before the alert started and after it ended (or after now). */
export const EXPLORE_MARGIN_MS = 30 * 60_000;

export function explorePath(labels: Labels): { group: string; path: string[] } {
  let best = { group: 'logical', path: [] as string[] };
  for (const g of GROUPINGS) {
    const path: string[] = [];
    for (const l of g.levels) {
      const v = labels[l];
      if (v === undefined) break;
      path.push(v);
    }
    if (path.length > best.path.length) best = { group: g.id, path };
  }
  if (best.path.length > 0) return best;
  const present = CUSTOM_ORDER.filter((l) => labels[l] !== undefined);
  if (present.length === 0) return best;
  return { group: `custom:${present.join(',')}`, path: present.map((l) => labels[l] ?? '') };
}

/** `<externalUrl>/?group=…&at=…&from=…&to=…` for the window [startMs − margin, endMs + margin]. */
export function exploreUrl(externalUrl: string, labels: Labels, startMs: number, endMs: number): string {
  const { group, path } = explorePath(labels);
  const q = new URLSearchParams();
  if (group !== 'logical') q.set('group', group);
  for (const p of path) q.append('at', p);
  q.set('from', String(Math.round(startMs - EXPLORE_MARGIN_MS)));
  q.set('to', String(Math.round(endMs + EXPLORE_MARGIN_MS)));
  return `${externalUrl.replace(/\/+$/, '')}/?${q.toString()}`;
}
