/**
 * Rule unit tests in promtool's format (`promtool test rules`): `rule_files`, `evaluation_interval`,
 * `tests[]` with `input_series`, `alert_rule_test` and `promql_expr_test`. The same fixture files
 * run under promtool (the reference) and under Fathom's evaluator. Semantics follow promtool:
 * series samples at i × interval from t = 0; every group is evaluated at every evaluation
 * interval from 0 to the last eval_time; an alert test compares the *firing* alerts of rules
 * named `alertname` (labels + annotations, order free) after the evaluation at or just before
 * `eval_time`; a PromQL test queries at `eval_time` after all evaluations.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { STALE_NAN, labelsKey, labelsOf, parseDurationMs } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { QueryEngine, parseQuery } from '@fathom/query';
import { evaluateGroup, newRuleRuntime } from './group-eval.js';
import type { EvalDeps, GroupRuntime } from './group-eval.js';
import { MemoryStorage } from './memory-storage.js';
import { parseRuleFile } from './rule-file.js';
import { expandSeriesValues } from './series-notation.js';
import { formatG } from './go-format.js';

export interface RuleTestCaseResult {
  readonly name: string;
  readonly failures: readonly string[];
}

export interface RuleTestReport {
  readonly file: string;
  readonly ok: boolean;
  /** Problems loading the test file or its rule files (no test ran). */
  readonly errors: readonly string[];
  readonly tests: readonly RuleTestCaseResult[];
}

interface TestFile {
  rule_files?: string[];
  evaluation_interval?: string;
  tests?: TestGroup[];
}

interface TestGroup {
  name?: string;
  interval?: string;
  input_series?: { series: string; values: string | number }[];
  external_labels?: Record<string, string>;
  external_url?: string;
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples?: { labels: string; value: number | string }[] }[];
}

function duration(text: string | number | undefined, fallbackMs: number, what: string): number {
  if (text === undefined) return fallbackMs;
  const ms = String(text) === '0' ? 0 : parseDurationMs(String(text));
  if (ms === undefined) throw new Error(`${what}: not a valid duration ${JSON.stringify(text)}`);
  return ms;
}

/** Runs a promtool-format test file; rule file paths are relative to it. */
export async function runRuleTests(path: string): Promise<RuleTestReport> {
  try {
    return await runRuleTestsText(await readFile(path, 'utf8'), path);
  } catch (err) {
    return { file: path, ok: false, errors: [(err as Error).message], tests: [] };
  }
}

export async function runRuleTestsText(text: string, path: string): Promise<RuleTestReport> {
  const doc = (parseYaml(text) ?? {}) as TestFile;
  const specs = [];
  for (const f of doc.rule_files ?? []) {
    const full = resolve(dirname(path), f);
    specs.push(parseRuleFile(f, await readFile(full, 'utf8')));
  }
  const evalMs = duration(doc.evaluation_interval, 60_000, 'evaluation_interval');
  const tests: RuleTestCaseResult[] = [];
  for (const [i, t] of (doc.tests ?? []).entries()) {
    tests.push({ name: t.name ?? `test ${i + 1}`, failures: await runGroup(t, specs, evalMs) });
  }
  return { file: path, ok: tests.every((t) => t.failures.length === 0), errors: [], tests };
}

function seriesLabels(text: string): Labels {
  const e = parseQuery(text);
  if (e.kind !== 'vector') throw new Error(`series ${JSON.stringify(text)} is not a series selector`);
  const out: Record<string, string> = {};
  for (const m of e.matchers) {
    if (m.type !== '=') throw new Error(`series ${JSON.stringify(text)}: only = matchers describe a series`);
    out[m.name] = m.value;
  }
  return labelsOf(out);
}

async function runGroup(t: TestGroup, specs: ReturnType<typeof parseRuleFile>[], evalMs: number): Promise<string[]> {
  const failures: string[] = [];
  const intervalMs = duration(t.interval, evalMs, 'interval');
  const storage = new MemoryStorage();
  const app = storage.appender();
  for (const s of t.input_series ?? []) {
    const labels = seriesLabels(s.series);
    expandSeriesValues(String(s.values)).forEach((v, i) => {
      if (v !== undefined) app.append(labels, i * intervalMs, v === 'stale' ? STALE_NAN : v);
    });
  }
  await app.commit();
  const engine = new QueryEngine(storage);
  const deps: EvalDeps = {
    engine,
    storage,
    externalLabels: labelsOf(t.external_labels ?? {}),
    externalUrl: t.external_url ?? '',
    resendDelayMs: 60_000,
    nowMs: () => 0,
  };
  const groups: GroupRuntime[] = specs.flatMap((f) =>
    f.groups.map((g) => ({ file: f.name, spec: g, intervalMs: g.intervalMs ?? evalMs, rules: g.rules.map(newRuleRuntime), lastEvaluationMs: undefined, evaluationTimeMs: 0, evaluations: 0, missedIterations: 0, ruleFailures: 0 })),
  );
  const alertTests = (t.alert_rule_test ?? []).map((a) => ({ ...a, atMs: duration(a.eval_time, 0, 'eval_time') })).sort((a, b) => a.atMs - b.atMs);
  const exprTests = (t.promql_expr_test ?? []).map((e) => ({ ...e, atMs: duration(e.eval_time, 0, 'eval_time') }));
  const maxMs = Math.max(0, ...alertTests.map((a) => a.atMs), ...exprTests.map((e) => e.atMs));
  let next = 0;
  for (let ts = 0; ts <= maxMs; ts += evalMs) {
    for (const g of groups) {
      await evaluateGroup(g, ts, deps);
      for (const r of g.rules) if (r.health === 'err') failures.push(`rule: ${r.spec.name}, time: ${formatMs(ts)}, err: ${r.lastError}`);
    }
    if (failures.length) return failures;
    while (next < alertTests.length && (alertTests[next]?.atMs ?? 0) < ts + evalMs) {
      const a = alertTests[next++];
      if (a) failures.push(...checkAlerts(a, groups));
    }
  }
  for (const e of exprTests) failures.push(...(await checkExpr(engine, e)));
  return failures;
}

function formatMs(ms: number): string {
  return `${ms / 1000}s`;
}

interface Got {
  labels: Labels;
  annotations: Labels;
}

function show(list: readonly Got[]): string {
  return `[${list.map((g) => `{labels: ${JSON.stringify(g.labels)}, annotations: ${JSON.stringify(g.annotations)}}`).join(', ')}]`;
}

function key(g: Got): string {
  return `${labelsKey(g.labels)}\x00${labelsKey(g.annotations)}`;
}

function checkAlerts(a: NonNullable<TestGroup['alert_rule_test']>[number] & { atMs: number }, groups: readonly GroupRuntime[]): string[] {
  const got: Got[] = [];
  for (const g of groups)
    for (const r of g.rules) {
      if (r.spec.type !== 'alerting' || r.spec.name !== a.alertname) continue;
      for (const al of r.active.values()) if (al.state === 'firing') got.push({ labels: al.labels, annotations: al.annotations });
    }
  const exp: Got[] = (a.exp_alerts ?? []).map((e) => ({ labels: labelsOf({ ...(e.exp_labels ?? {}), alertname: a.alertname }), annotations: labelsOf(e.exp_annotations ?? {}) }));
  const sorted = (l: Got[]): string[] => l.map(key).sort();
  if (JSON.stringify(sorted(got)) === JSON.stringify(sorted(exp))) return [];
  return [`alertname: ${a.alertname}, time: ${formatMs(a.atMs)},\n        exp:${show(exp)},\n        got:${show(got)}`];
}

async function checkExpr(engine: QueryEngine, e: NonNullable<TestGroup['promql_expr_test']>[number] & { atMs: number }): Promise<string[]> {
  let got: { labels: Labels; value: number }[];
  try {
    const r = await engine.instantQuery(e.expr, e.atMs);
    if (r.resultType === 'vector') got = r.samples.map((s) => ({ labels: s.labels, value: s.value }));
    else if (r.resultType === 'scalar') got = [{ labels: labelsOf({}), value: r.value }];
    else return [`expr: ${JSON.stringify(e.expr)}, time: ${formatMs(e.atMs)}: result is a ${r.resultType}, not a vector or scalar`];
  } catch (err) {
    return [`expr: ${JSON.stringify(e.expr)}, time: ${formatMs(e.atMs)}, err: ${(err as Error).message}`];
  }
  const exp = (e.exp_samples ?? []).map((s) => ({ labels: s.labels === '' || s.labels === '{}' ? labelsOf({}) : seriesLabels(s.labels), value: Number(s.value) }));
  const byKey = new Map(got.map((g) => [labelsKey(g.labels), g.value]));
  const ok = exp.length === got.length && exp.every((x) => byKey.has(labelsKey(x.labels)) && nearlyEqual(byKey.get(labelsKey(x.labels)) ?? NaN, x.value));
  if (ok) return [];
  const fmt = (l: { labels: Labels; value: number }[]): string => `[${l.map((s) => `${JSON.stringify(s.labels)} ${formatG(s.value)}`).join(', ')}]`;
  return [`expr: ${JSON.stringify(e.expr)}, time: ${formatMs(e.atMs)},\n        exp: ${fmt(exp)}\n        got: ${fmt(got)}`];
}

/** Equal, or within 1e-9 relative (engines may differ in the last float bit); NaN equals NaN. */
function nearlyEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
