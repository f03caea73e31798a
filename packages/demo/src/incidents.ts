/** When incidents happen: the default script, and `kind@when` specs from the command line. */
import { parseDurationMs } from '@fathom/model';
import { CANARY_DURATION_MS, DOMINO_DURATION_MS, MINUTE_MS } from './scenario.js';
import type { Incident } from './scenario.js';

/**
 * The default script for a simulation started `historyMs` before `nowMs`: both incidents inside
 * the backfilled history when it is long enough (so the charts show them at once), else soon.
 */
export function defaultIncidents(nowMs: number, historyMs: number): Incident[] {
  const startMs = nowMs - historyMs;
  const needMs = 10 * MINUTE_MS + DOMINO_DURATION_MS + 20 * MINUTE_MS + CANARY_DURATION_MS + 15 * MINUTE_MS;
  const first = historyMs >= needMs ? Math.max(startMs + 10 * MINUTE_MS, nowMs - needMs) : Math.max(startMs, nowMs) + 5 * MINUTE_MS;
  const align = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS;
  const domino = align(first);
  return [
    { kind: 'domino', atMs: domino },
    { kind: 'canary', atMs: domino + DOMINO_DURATION_MS + 20 * MINUTE_MS, app: 'api', track: 'free' },
  ];
}

/**
 * Parses `domino@+10m`, `canary@-45m` (relative to now) or `domino@2026-11-25T14:00:00Z`.
 * Throws an Error naming the problem.
 */
export function parseIncident(spec: string, nowMs: number): Incident {
  const m = /^(domino|canary)@(.+)$/.exec(spec.trim());
  if (!m) throw new Error(`incident "${spec}": expected domino@<when> or canary@<when>, e.g. domino@+5m`);
  const when = m[2]!;
  let atMs: number;
  if (when.startsWith('+') || when.startsWith('-')) {
    const d = parseDurationMs(when.slice(1));
    if (d === undefined) throw new Error(`incident "${spec}": "${when}" is not a duration like +5m or -1h`);
    atMs = when.startsWith('+') ? nowMs + d : nowMs - d;
  } else {
    atMs = Date.parse(when);
    if (Number.isNaN(atMs)) throw new Error(`incident "${spec}": "${when}" is neither a relative duration nor an ISO time`);
  }
  return m[1] === 'domino' ? { kind: 'domino', atMs } : { kind: 'canary', atMs, app: 'api', track: 'free' };
}
