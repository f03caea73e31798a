/**
 * Rules and alerts over HTTP (docs/api/rules.md):
 * - Prometheus-compatible `GET /api/v1/rules` (`type=alert|record`, `rule_name[]`, `rule_group[]`,
 *   `file[]`, `exclude_alerts`) and `GET /api/v1/alerts`, in Prometheus' exact JSON shapes;
 * - management `GET /api/fathom/rules`, `GET|PUT|DELETE /api/fathom/rules/<file>` (PUT body = the
 *   rule file's YAML; a bad file → 400 with `line` and `column`, and the loaded rules keep running).
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { RuleFileError, formatShortestE } from '@fathom/alerts';
import type { ActiveAlert, GroupRuntime, RuleManager, RuleRuntime } from '@fathom/alerts';
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import { ApiError, failure, success } from './envelope.js';

export interface RulesApiDeps {
  readonly rules: RuleManager;
  readonly maxBodyBytes: number;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function rfc3339(ms: number | undefined): string {
  return ms === undefined ? ZERO_TIME : new Date(ms).toISOString();
}

function alertJson(a: ActiveAlert): Record<string, unknown> {
  return {
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    activeAt: rfc3339(a.activeAtMs),
    ...(a.keepFiringSinceMs !== undefined ? { keepFiringSince: rfc3339(a.keepFiringSinceMs) } : {}),
    value: formatShortestE(a.value),
  };
}

function activeOf(r: RuleRuntime): ActiveAlert[] {
  return [...r.active.values()].filter((a) => a.state !== 'inactive');
}

function ruleState(alerts: readonly ActiveAlert[]): string {
  if (alerts.some((a) => a.state === 'firing')) return 'firing';
  return alerts.length ? 'pending' : 'inactive';
}

function ruleJson(r: RuleRuntime, excludeAlerts: boolean): Record<string, unknown> {
  const common = {
    name: r.spec.name,
    query: r.spec.expr,
    health: r.health,
    ...(r.lastError ? { lastError: r.lastError } : {}),
    evaluationTime: r.evaluationTimeMs / 1000,
    lastEvaluation: rfc3339(r.lastEvaluationMs),
  };
  if (r.spec.type === 'recording') {
    return { ...common, ...(Object.keys(r.spec.labels).length ? { labels: r.spec.labels } : {}), type: 'recording' };
  }
  const alerts = activeOf(r);
  const templ = (m: Readonly<Record<string, { source: string }>>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, t]) => [k, t.source]));
  return {
    state: ruleState(alerts),
    ...common,
    duration: r.spec.forMs / 1000,
    keepFiringFor: r.spec.keepFiringForMs / 1000,
    labels: templ(r.spec.labels),
    annotations: templ(r.spec.annotations),
    ...(excludeAlerts ? {} : { alerts: alerts.map(alertJson) }),
    type: 'alerting',
  };
}

function groupJson(g: GroupRuntime, rules: Record<string, unknown>[]): Record<string, unknown> {
  return {
    name: g.spec.name,
    file: g.file,
    rules,
    interval: g.intervalMs / 1000,
    limit: g.spec.limit,
    evaluationTime: g.evaluationTimeMs / 1000,
    lastEvaluation: rfc3339(g.lastEvaluationMs),
  };
}

function listParam(p: URLSearchParams, name: string): Set<string> | undefined {
  const v = p.getAll(`${name}[]`);
  return v.length ? new Set(v) : undefined;
}

/** Mounted at `/api/v1`. */
export function promRulesApi(deps: RulesApiDeps): Hono {
  const api = new Hono();
  api.get('/rules', (c) => {
    const p = new URL(c.req.url).searchParams;
    const type = p.get('type') ?? '';
    if (type !== '' && type !== 'alert' && type !== 'record') return failure(c, new ApiError('bad_data', `not supported value ${JSON.stringify(type)}`));
    const names = listParam(p, 'rule_name');
    const groupNames = listParam(p, 'rule_group');
    const files = listParam(p, 'file');
    const excludeAlerts = p.get('exclude_alerts') === 'true';
    const groups: Record<string, unknown>[] = [];
    for (const g of deps.rules.groups()) {
      if (groupNames && !groupNames.has(g.spec.name)) continue;
      if (files && !files.has(g.file)) continue;
      const rules = g.rules
        .filter((r) => (type === 'alert' ? r.spec.type === 'alerting' : type === 'record' ? r.spec.type === 'recording' : true))
        .filter((r) => !names || names.has(r.spec.name))
        .map((r) => ruleJson(r, excludeAlerts));
      if (rules.length > 0 || (!type && !names)) groups.push(groupJson(g, rules));
    }
    return success(c, { groups });
  });
  api.get('/alerts', (c) => {
    const alerts = deps.rules.groups().flatMap((g) => g.rules.flatMap((r) => activeOf(r).map(alertJson)));
    return success(c, { alerts });
  });
  return api;
}

async function readText(c: Context, maxBytes: number): Promise<string> {
  const body = await c.req.arrayBuffer();
  if (body.byteLength > maxBytes) throw new ApiError('too_large', `body is ${body.byteLength} bytes, more than the limit of ${maxBytes}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ApiError('bad_data', 'body: not valid UTF-8');
  }
}

function ruleFileError(c: Context, err: RuleFileError): Response {
  return c.json({ status: 'error', errorType: 'bad_data', error: err.message, line: err.line, column: err.column, problems: err.problems }, 400);
}

/** Mounted at `/api/fathom/rules`. */
export function rulesManagementApi(deps: RulesApiDeps): Hono {
  const api = new Hono();
  api.get('/', (c) => success(c, deps.rules.files()));
  api.get('/:file', (c) => {
    const f = deps.rules.files().find((x) => x.name === c.req.param('file'));
    return f ? success(c, f) : failure(c, new ApiError('not_found', `no rule file ${JSON.stringify(c.req.param('file'))}`));
  });
  api.put('/:file', async (c) => {
    try {
      const spec = await deps.rules.putFile(c.req.param('file'), await readText(c, deps.maxBodyBytes));
      return success(c, { name: spec.name, groups: spec.groups.map((g) => ({ name: g.name, rules: g.rules.length })) });
    } catch (err) {
      if (err instanceof RuleFileError) return ruleFileError(c, err);
      if (err instanceof ApiError) return failure(c, err);
      throw err;
    }
  });
  api.delete('/:file', async (c) => {
    const name = c.req.param('file');
    const r = await deps.rules.deleteFile(name);
    if (r === 'not_found') return failure(c, new ApiError('not_found', `no rule file ${JSON.stringify(name)}`));
    if (r === 'builtin') return failure(c, new ApiError('bad_data', `${JSON.stringify(name)} is a built-in rule file: disable or tune its rules in the server configuration (server.alertLibrary), or PUT a file of the same name to replace it`));
    return success(c, { deleted: name });
  });
  return api;
}

/** The rule manager's self-metrics for `/metrics` (after Prometheus' `prometheus_rule_*`). */
export function rulesMetrics(rules: RuleManager): MetricSet {
  const b = new MetricSetBuilder()
    .describe('fathom_rule_group_evaluations_total', 'counter', 'Rule group evaluations.')
    .describe('fathom_rule_group_iterations_missed_total', 'counter', 'Scheduled rule group evaluations skipped because the previous one was still running.')
    .describe('fathom_rule_group_last_duration_seconds', 'gauge', 'Duration of the last rule group evaluation.')
    .describe('fathom_rule_group_last_evaluation_timestamp_seconds', 'gauge', 'Scheduled time of the last rule group evaluation (0 before the first).')
    .describe('fathom_rule_group_interval_seconds', 'gauge', 'Evaluation interval of the group.')
    .describe('fathom_rule_group_rules', 'gauge', 'Rules in the group.')
    .describe('fathom_rule_evaluation_failures_total', 'counter', 'Rule evaluations that failed.')
    .describe('fathom_alerts', 'gauge', 'Active alerts by state.')
    .describe('fathom_alerts_sent_total', 'counter', 'Alerts handed to the alert sink (firing when they fire and again after the resend delay; resolved once).')
    .describe('fathom_alert_state_save_errors_total', 'counter', 'Failed writes of the alert state file.')
    .describe('fathom_rule_evaluation_yields_total', 'counter', 'Turns of the event loop rule evaluation gave to ingest and the API (one per used-up time slice).')
    .describe('fathom_rule_group_slot_waits_total', 'counter', 'Group evaluations that waited for a slot (rules.maxConcurrentGroups).')
    .describe('fathom_rule_selections_total', 'counter', 'Storage selections of rule queries, by whether an earlier rule of the same group evaluation had made it (result="shared") or not ("read").');
  const states = { pending: 0, firing: 0 };
  for (const g of rules.groups()) {
    const l = { file: g.file, rule_group: g.spec.name };
    b.add('fathom_rule_group_evaluations_total', l, g.evaluations);
    b.add('fathom_rule_group_iterations_missed_total', l, g.missedIterations);
    b.add('fathom_rule_group_last_duration_seconds', l, g.evaluationTimeMs / 1000);
    b.add('fathom_rule_group_last_evaluation_timestamp_seconds', l, (g.lastEvaluationMs ?? 0) / 1000);
    b.add('fathom_rule_group_interval_seconds', l, g.intervalMs / 1000);
    b.add('fathom_rule_group_rules', l, g.rules.length);
    b.add('fathom_rule_evaluation_failures_total', l, g.ruleFailures);
    for (const r of g.rules) for (const a of r.active.values()) if (a.state !== 'inactive') states[a.state]++;
  }
  b.add('fathom_alerts', { state: 'pending' }, states.pending);
  b.add('fathom_alerts', { state: 'firing' }, states.firing);
  const s = rules.stats();
  b.add('fathom_alerts_sent_total', {}, s.alertsSent);
  b.add('fathom_alert_state_save_errors_total', {}, s.stateSaveErrors);
  const sched = rules.scheduler.stats();
  b.add('fathom_rule_evaluation_yields_total', {}, sched.yields);
  b.add('fathom_rule_group_slot_waits_total', {}, sched.slotWaits);
  const sel = rules.selectionStats();
  b.add('fathom_rule_selections_total', { result: 'shared' }, sel.hits);
  b.add('fathom_rule_selections_total', { result: 'read' }, sel.misses);
  return b.build();
}
