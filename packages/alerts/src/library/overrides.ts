/**
 * The library's tuning as a pure transform over the parsed rule files: disable a rule, change its
 * threshold, selector or `for`, add labels, point runbook links elsewhere. Overrides naming a rule
 * the library does not have, or a threshold on a rule without one, are errors naming the key.
 */
import { formatDurationMs } from '@fathom/model';
import type { GroupDoc, RuleDoc, RuleFileDoc } from './rule-file.js';
import { TUNABLES } from './tunables.js';

export interface RuleOverride {
  readonly enabled?: boolean | undefined;
  readonly threshold?: number | undefined;
  readonly selector?: string | undefined;
  readonly forMs?: number | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

export interface LibraryOverrides {
  /** false: no library rule at all. Default true. */
  readonly enabled?: boolean | undefined;
  /** Replaces the runbook links' base (where docs/alerts/ is published). */
  readonly runbookBaseUrl?: string | undefined;
  /** By alert name. */
  readonly rules?: Readonly<Record<string, RuleOverride>> | undefined;
}

export type OverrideResult = { readonly ok: true; readonly files: RuleFileDoc[] } | { readonly ok: false; readonly error: string };

/** The runbook links' base as shipped. */
export const RUNBOOK_BASE_URL = 'https://github.com/fathom-monitoring/fathom/blob/main/docs/alerts/';

export function applyOverrides(files: readonly RuleFileDoc[], o: LibraryOverrides = {}): OverrideResult {
  if (o.enabled === false) return { ok: true, files: [] };
  const known = new Set(files.flatMap((f) => f.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record ?? ''))));
  for (const [name, ov] of Object.entries(o.rules ?? {})) {
    const err = checkOverride(name, ov, known);
    if (err) return { ok: false, error: `alertLibrary.rules.${name}: ${err}` };
  }
  const out = files.map((f) => ({ ...f, groups: f.groups.map((g) => group(g, o)).filter((g) => g.rules.length > 0) }));
  return { ok: true, files: out.filter((f) => f.groups.length > 0) };
}

function checkOverride(name: string, ov: RuleOverride, known: ReadonlySet<string>): string | undefined {
  if (!known.has(name)) return `no library rule is named "${name}"`;
  const t = TUNABLES[name] ?? {};
  if (ov.threshold !== undefined && t.threshold === undefined) return 'this rule has no threshold to change';
  if (ov.threshold !== undefined && !Number.isFinite(ov.threshold)) return `threshold must be a finite number, got ${ov.threshold}`;
  if (ov.selector !== undefined && t.selector === undefined) return 'this rule has no selector to change';
  if (ov.forMs !== undefined && (!Number.isFinite(ov.forMs) || ov.forMs < 0)) return `forMs must be 0 or a positive duration, got ${ov.forMs}`;
  return undefined;
}

function group(g: GroupDoc, o: LibraryOverrides): GroupDoc {
  const rules: RuleDoc[] = [];
  for (const r of g.rules) {
    const ov = o.rules?.[r.alert ?? r.record ?? ''] ?? {};
    if (ov.enabled === false) continue;
    rules.push(rule(r, ov, o.runbookBaseUrl));
  }
  return { ...g, rules };
}

function rule(r: RuleDoc, ov: RuleOverride, runbookBaseUrl: string | undefined): RuleDoc {
  const t = TUNABLES[r.alert ?? ''] ?? {};
  let expr = r.expr;
  if (ov.threshold !== undefined && t.threshold !== undefined) expr = replaceNumber(expr, t.threshold, String(ov.threshold));
  if (ov.selector !== undefined && t.selector !== undefined) expr = expr.split(t.selector).join(ov.selector);
  const annotations = r.annotations && runbookBaseUrl !== undefined ? rebase(r.annotations, runbookBaseUrl) : r.annotations;
  return {
    ...r,
    expr,
    ...(ov.forMs !== undefined ? { for: formatDurationMs(ov.forMs) } : {}),
    ...(ov.labels ? { labels: { ...r.labels, ...ov.labels } } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** Replaces the number `from` where it stands alone (not inside a longer number or a name). */
export function replaceNumber(expr: string, from: string, to: string): string {
  const re = new RegExp(`(?<![\\w.])${from.replace(/\./g, '\\.')}(?![\\w.])`, 'g');
  return expr.replace(re, to);
}

function rebase(a: Readonly<Record<string, string>>, base: string): Record<string, string> {
  const url = a['runbook_url'];
  if (url === undefined || !url.startsWith(RUNBOOK_BASE_URL)) return { ...a };
  return { ...a, runbook_url: base.replace(/\/?$/, '/') + url.slice(RUNBOOK_BASE_URL.length) };
}
