/**
 * One evaluation of one rule group at a timestamp, rules in order (Prometheus' Group.Eval):
 * recording rules append their output (so later rules see it), alerting rules step their state
 * machine and write `ALERTS`/`ALERTS_FOR_STATE`; series a rule stopped producing get a staleness
 * marker. Returns what to send to the AlertSink and the state transitions. A failing rule keeps
 * its previous state and reports `health: err`; the others still run.
 */
import { METRIC_NAME, STALE_NAN, labelsKey, labelsOf, withoutLabels } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Alert } from '@fathom/notify';
import type { Appendable } from '@fathom/storage';
import type { EventStore } from '@fathom/events';
import type { QueryEngine } from '@fathom/query';
import { stepAlerts } from './alert-state.js';
import type { ActiveAlert, AlertCandidate, AlertTransition } from './alert-state.js';
import { exploreUrl } from './explore-url.js';
import { queryEvents, queryVector } from './rule-query.js';
import type { RuleSample } from './rule-query.js';
import type { AlertingRuleSpec, RecordingRuleSpec, RuleGroupSpec, RuleSpec } from './rule-types.js';
import { TemplateExecError } from './template.js';
import type { CompiledTemplate, QuerySample, TemplateData } from './template.js';

export type RuleHealth = 'unknown' | 'ok' | 'err';

export interface RuleRuntime {
  readonly spec: RuleSpec;
  active: Map<string, ActiveAlert>;
  health: RuleHealth;
  lastError: string;
  lastEvaluationMs: number | undefined;
  evaluationTimeMs: number;
  /**
   * Series written at the last evaluation, so the ones that disappear get a staleness marker; keyed
   * by their labels' key (recording rules) or by state and alert key (ALERTS, ALERTS_FOR_STATE).
   */
  lastSeries: Map<string, Labels>;
  /** When each firing alert (by its key in `active`) was last sent, for the resend delay. */
  lastSentMs: Map<string, number>;
}

export interface GroupRuntime {
  /** The rule file the group came from. */
  readonly file: string;
  readonly spec: RuleGroupSpec;
  readonly intervalMs: number;
  readonly rules: RuleRuntime[];
  lastEvaluationMs: number | undefined;
  evaluationTimeMs: number;
  evaluations: number;
  /** Scheduled evaluations skipped because the previous one was still running. */
  missedIterations: number;
  /** Rule evaluations that failed (query error, limit, duplicate labels, …). */
  ruleFailures: number;
}

export interface EvalDeps {
  readonly engine: QueryEngine;
  readonly storage: Appendable;
  readonly events?: EventStore | undefined;
  readonly externalLabels: Labels;
  readonly externalUrl: string;
  /**
   * Like Prometheus: a firing alert is sent when it starts firing and then again once this long has
   * passed since it was last sent (not at every evaluation), with endsAt = ts + 4 × max(interval,
   * resendDelay); a resolved alert is sent when it resolves.
   */
  readonly resendDelayMs: number;
  readonly nowMs: () => number;
  readonly onWarning?: (message: string, fields: Record<string, unknown>) => void;
  /** Gives the event loop a turn when the evaluation's time slice is used up (EvalScheduler.pause); called between rules and between alerts. */
  readonly pause?: () => Promise<void>;
}

export interface RuleTransition {
  readonly rule: AlertingRuleSpec;
  readonly transition: AlertTransition;
}

export interface GroupOutput {
  readonly alerts: Alert[];
  readonly transitions: RuleTransition[];
}

export function newRuleRuntime(spec: RuleSpec): RuleRuntime {
  return { spec, active: new Map(), health: 'unknown', lastError: '', lastEvaluationMs: undefined, evaluationTimeMs: 0, lastSeries: new Map(), lastSentMs: new Map() };
}

export async function evaluateGroup(g: GroupRuntime, tsMs: number, deps: EvalDeps): Promise<GroupOutput> {
  const started = deps.nowMs();
  const out: GroupOutput = { alerts: [], transitions: [] };
  const queryTs = tsMs - g.spec.queryOffsetMs;
  for (const rule of g.rules) {
    // Queries over storage resolve as microtasks: without turns of the event loop, a group of
    // heavy rules would hold off ingest and the HTTP API until the whole group is done.
    await deps.pause?.();
    const t0 = deps.nowMs();
    try {
      if (rule.spec.type === 'recording') await evalRecording(rule, rule.spec, g, queryTs, tsMs, deps);
      else await evalAlerting(rule, rule.spec, g, queryTs, tsMs, deps, out);
      rule.health = 'ok';
      rule.lastError = '';
    } catch (err) {
      rule.health = 'err';
      rule.lastError = (err as Error).message;
      g.ruleFailures++;
      deps.onWarning?.('rule evaluation failed', { file: g.file, group: g.spec.name, rule: rule.spec.name, error: rule.lastError });
    }
    rule.lastEvaluationMs = tsMs;
    rule.evaluationTimeMs = deps.nowMs() - t0;
  }
  g.lastEvaluationMs = tsMs;
  g.evaluationTimeMs = deps.nowMs() - started;
  g.evaluations++;
  return out;
}

async function evalRecording(rule: RuleRuntime, spec: RecordingRuleSpec, g: GroupRuntime, queryTs: number, tsMs: number, deps: EvalDeps): Promise<void> {
  const vector = await queryVector(deps.engine, spec.expr, queryTs);
  const series = new Map<string, Labels>();
  const values = new Map<string, number>();
  for (const s of vector) {
    const labels = labelsOf({ ...s.labels, ...spec.labels, [METRIC_NAME]: spec.name });
    const key = labelsKey(labels);
    if (series.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
    series.set(key, labels);
    values.set(key, s.value);
  }
  if (g.spec.limit > 0 && series.size > g.spec.limit) throw new Error(`exceeded limit of ${g.spec.limit} with ${series.size} series`);
  await write(rule, series, values, tsMs, deps);
}

/** Appends this evaluation's series (values by series key) and a staleness marker for each one that disappeared. */
async function write(rule: RuleRuntime, series: Map<string, Labels>, values: ReadonlyMap<string, number>, tsMs: number, deps: EvalDeps): Promise<void> {
  const app = deps.storage.appender();
  for (const [key, l] of series) app.append(l, tsMs, values.get(key) ?? NaN);
  for (const [key, l] of rule.lastSeries) if (!series.has(key)) app.append(l, tsMs, STALE_NAN);
  rule.lastSeries = series;
  const r = await app.commit();
  if (r.rejected > 0) deps.onWarning?.('rule output rejected by storage', { rule: rule.spec.name, rejected: r.rejected, first: r.errors[0]?.message });
}

/**
 * Staleness markers for every series the rules wrote last (their recording output, ALERTS and
 * ALERTS_FOR_STATE), so queries stop seeing them at once when the rules are removed or replaced.
 */
export async function markStale(rules: readonly RuleRuntime[], tsMs: number, storage: Appendable): Promise<void> {
  const app = storage.appender();
  let n = 0;
  for (const r of rules) {
    for (const l of r.lastSeries.values()) {
      app.append(l, tsMs, STALE_NAN);
      n++;
    }
    r.lastSeries = new Map();
  }
  if (n > 0) await app.commit();
  else app.rollback();
}

function expandAll(templates: Readonly<Record<string, CompiledTemplate>>, data: TemplateData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(templates)) {
    try {
      out[k] = t.expand(data);
    } catch (err) {
      // Prometheus keeps the alert and puts the error in the text.
      out[k] = `<error expanding template: ${(err as Error).message}>`;
    }
  }
  return out;
}

const MAX_TEMPLATE_PASSES = 4;

/**
 * Expands templates that may call `query`: a pass answers unknown queries with an empty result
 * and records them; they are run, and the templates expanded again, until no new query appears.
 */
async function expandWithQueries(templates: Readonly<Record<string, CompiledTemplate>>, data: TemplateData, cache: Map<string, readonly QuerySample[] | Error>, run: (q: string) => Promise<readonly QuerySample[]>): Promise<Record<string, string>> {
  if (!Object.values(templates).some((t) => t.source.includes('query'))) return expandAll(templates, data);
  for (let pass = 1; ; pass++) {
    const missing = new Set<string>();
    const query = (q: string): readonly QuerySample[] => {
      const hit = cache.get(q);
      if (hit instanceof Error) throw hit;
      if (hit) return hit;
      missing.add(q);
      return [];
    };
    const out = expandAll(templates, { ...data, query });
    if (missing.size === 0 || pass === MAX_TEMPLATE_PASSES) return out;
    for (const q of missing) cache.set(q, await run(q).catch((err: unknown) => new TemplateExecError(`error executing query ${JSON.stringify(q)}: ${(err as Error).message}`)));
  }
}

async function candidates(spec: AlertingRuleSpec, vector: readonly RuleSample[], deps: EvalDeps, queryTs: number): Promise<AlertCandidate[]> {
  const out = new Map<string, AlertCandidate>();
  const cache = new Map<string, readonly QuerySample[] | Error>();
  const run = async (q: string): Promise<readonly QuerySample[]> => (await queryVector(deps.engine, q, queryTs)).map((s) => ({ Labels: s.labels, Value: s.value }));
  for (const s of vector) {
    await deps.pause?.();
    const data: TemplateData = { labels: s.labels, value: s.value, externalLabels: deps.externalLabels, externalUrl: deps.externalUrl };
    const base = withoutLabels(s.labels, [METRIC_NAME]);
    const labels = labelsOf({ ...base, ...(await expandWithQueries(spec.labels, data, cache, run)), alertname: spec.name });
    const key = labelsKey(labels);
    if (out.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
    out.set(key, { key, labels, annotations: labelsOf(await expandWithQueries(spec.annotations, data, cache, run)), value: s.value });
  }
  return [...out.values()];
}

async function evalAlerting(rule: RuleRuntime, spec: AlertingRuleSpec, g: GroupRuntime, queryTs: number, tsMs: number, deps: EvalDeps, out: GroupOutput): Promise<void> {
  const vector = spec.source.kind === 'event' ? await queryEvents(deps.events, spec.source.event, queryTs) : await queryVector(deps.engine, spec.expr, queryTs);
  const found = await candidates(spec, vector, deps, queryTs);
  const step = stepAlerts(rule.active, found, tsMs, spec);
  let pendingOrFiring = 0;
  for (const a of step.active.values()) if (a.state !== 'inactive') pendingOrFiring++;
  if (g.spec.limit > 0 && pendingOrFiring > g.spec.limit) {
    rule.active = new Map();
    throw new Error(`exceeded limit of ${g.spec.limit} with ${pendingOrFiring} alerts`);
  }
  rule.active = step.active;
  for (const transition of step.transitions) out.transitions.push({ rule: spec, transition });
  const series = new Map<string, Labels>();
  const values = new Map<string, number>();
  const validMs = tsMs + 4 * Math.max(g.intervalMs, deps.resendDelayMs);
  const lastSent = new Map<string, number>();
  for (const [key, a] of rule.active) {
    if (a.state !== 'inactive') {
      // Keyed by the alert's key, not the series' labels: an unchanged alert reuses last evaluation's label sets.
      const alertsKey = `${a.state}\xff${key}`;
      const forStateKey = `for\xff${key}`;
      series.set(alertsKey, rule.lastSeries.get(alertsKey) ?? labelsOf({ ...a.labels, [METRIC_NAME]: 'ALERTS', alertstate: a.state }));
      values.set(alertsKey, 1);
      series.set(forStateKey, rule.lastSeries.get(forStateKey) ?? labelsOf({ ...a.labels, [METRIC_NAME]: 'ALERTS_FOR_STATE' }));
      values.set(forStateKey, Math.floor(a.activeAtMs / 1000));
    }
    const firing = a.state === 'firing';
    const sentMs = firing ? rule.lastSentMs.get(key) : undefined;
    const resend = firing && (sentMs === undefined || sentMs + deps.resendDelayMs < tsMs);
    if (firing && !resend && sentMs !== undefined) lastSent.set(key, sentMs);
    const justResolved = a.state === 'inactive' && a.resolvedAtMs === tsMs;
    if (!resend && !justResolved) continue;
    if (firing) lastSent.set(key, tsMs);
    const startsAtMs = a.firedAtMs ?? a.activeAtMs;
    out.alerts.push({
      labels: labelsOf({ ...deps.externalLabels, ...a.labels }),
      annotations: a.annotations,
      startsAtMs,
      endsAtMs: firing ? validMs : tsMs,
      generatorUrl: exploreUrl(deps.externalUrl, a.labels, a.activeAtMs, firing ? tsMs : (a.resolvedAtMs ?? tsMs)),
    });
  }
  rule.lastSentMs = lastSent;
  await write(rule, series, values, tsMs, deps);
}
