/**
 * Test support: reads a rule unit-test file in promtool's format (rule_files, evaluation_interval,
 * tests[].input_series / alert_rule_test) and checks its alert expectations with Fathom's PromQL
 * engine directly: every rule is evaluated every `evaluation_interval` from 0 to the test's last
 * `eval_time`, an alert fires once its expression has returned its series for `for`, and the
 * firing alerts' labels (rule labels + alertname + series labels) are compared at each eval_time.
 * Annotations are not rendered here (the alerts package's templates do that); promtool checks them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { formatLabels, labelsOf, parseDurationMs, STALE_NAN } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { parseQuery, QueryEngine } from '@fathom/query';
import { JournaledStorage } from '@fathom/storage';
import { parse } from 'yaml';
import { parseLibraryFile } from '../../src/index.js';
import type { RuleDoc } from '../../src/index.js';

interface AlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts?: readonly { readonly exp_labels?: Record<string, string> }[];
}
interface UnitTest {
  readonly interval?: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test?: readonly AlertTest[];
}
interface TestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval?: string;
  readonly tests: readonly UnitTest[];
}

export interface Mismatch {
  readonly test: number;
  readonly alertname: string;
  readonly evalTime: string;
  readonly expected: readonly string[];
  readonly got: readonly string[];
}

/** Runs a test file; returns the mismatches (empty = every expectation met) and the alert names covered. */
export async function runRuleTestFile(path: string): Promise<{ mismatches: Mismatch[]; covered: Set<string> }> {
  const file = parse(readFileSync(path, 'utf8')) as TestFile;
  const rules = file.rule_files.flatMap((f) => parseLibraryFile(f, readFileSync(resolve(dirname(path), f), 'utf8')).groups.flatMap((g) => g.rules)).filter((r) => r.alert !== undefined);
  const evalMs = ms(file.evaluation_interval ?? '1m');
  const mismatches: Mismatch[] = [];
  const covered = new Set<string>();
  for (const [i, t] of file.tests.entries()) {
    const engine = new QueryEngine(await load(t));
    const checks = t.alert_rule_test ?? [];
    const endMs = Math.max(0, ...checks.map((c) => ms(c.eval_time)));
    const firing = await firingOverTime(engine, rules, evalMs, endMs);
    for (const c of checks) {
      covered.add(c.alertname);
      const tMs = Math.floor(ms(c.eval_time) / evalMs) * evalMs;
      const got = (firing.get(c.alertname)?.get(tMs) ?? []).sort();
      const expected = (c.exp_alerts ?? []).map((a) => formatLabels(labelsOf({ ...a.exp_labels, alertname: c.alertname }))).sort();
      if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push({ test: i, alertname: c.alertname, evalTime: c.eval_time, expected, got });
    }
  }
  return { mismatches, covered };
}

async function load(t: UnitTest): Promise<JournaledStorage> {
  const storage = JournaledStorage.open({ dataDir: mkdtempSync(join(tmpdir(), 'fathom-ruletest-')), fsync: 'never', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6 });
  const stepMs = ms(t.interval ?? '1m');
  const app = storage.appender();
  for (const s of t.input_series) {
    const labels = seriesLabels(s.series);
    expandValues(s.values).forEach((v, k) => v !== undefined && app.append(labels, k * stepMs, v));
  }
  const r = await app.commit();
  if (r.rejected > 0) throw new Error(r.errors.map((e) => e.message).join('; '));
  return storage;
}

/** alertname → eval time → firing alerts' label strings. */
async function firingOverTime(engine: QueryEngine, rules: readonly RuleDoc[], evalMs: number, endMs: number): Promise<Map<string, Map<number, string[]>>> {
  const out = new Map<string, Map<number, string[]>>();
  for (const r of rules) {
    const name = r.alert ?? '';
    const forMs = ms(r.for ?? '0s');
    const activeSince = new Map<string, number>();
    const byTime = new Map<number, string[]>();
    out.set(name, byTime);
    for (let tMs = 0; tMs <= endMs; tMs += evalMs) {
      const res = await engine.instantQuery(r.expr, tMs);
      const samples = res.resultType === 'vector' ? res.samples : [];
      const now = new Set<string>();
      const firing: string[] = [];
      for (const s of samples) {
        const labels = alertLabels(s.labels, r, name);
        const key = formatLabels(labels);
        now.add(key);
        const since = activeSince.get(key) ?? tMs;
        activeSince.set(key, since);
        if (tMs - since >= forMs) firing.push(key);
      }
      for (const k of [...activeSince.keys()]) if (!now.has(k)) activeSince.delete(k);
      byTime.set(tMs, firing);
    }
  }
  return out;
}

function alertLabels(series: Labels, r: RuleDoc, name: string): Labels {
  const l: Record<string, string> = { ...series };
  delete l['__name__'];
  return labelsOf({ ...l, ...r.labels, alertname: name });
}

function seriesLabels(text: string): Labels {
  const e = parseQuery(text);
  if (e.kind !== 'vector') throw new Error(`input series "${text}" is not a series selector`);
  return labelsOf(Object.fromEntries(e.matchers.map((m) => [m.name, m.value])));
}

/** promtool's value notation: `1 2 _ stale`, `a+bxn`, `a-bxn`, `axn`, `_xn`. */
export function expandValues(text: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const tok of text.trim().split(/\s+/)) {
    const m = /^(.+?)(?:([+-])([^x]+))?x(\d+)$/.exec(tok);
    if (!m) {
      out.push(tok === '_' ? undefined : tok === 'stale' ? STALE_NAN : num(tok, text));
      continue;
    }
    const n = Number(m[4]);
    if (m[1] === '_') {
      for (let k = 0; k < n; k++) out.push(undefined);
      continue;
    }
    const start = num(m[1] ?? '', text);
    const step = m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * num(m[3] ?? '', text);
    for (let k = 0; k <= n; k++) out.push(start + k * step);
  }
  return out;
}

function num(tok: string, text: string): number {
  const v = Number(tok);
  if (Number.isNaN(v)) throw new Error(`bad value "${tok}" in "${text}"`);
  return v;
}

function ms(d: string): number {
  const v = parseDurationMs(d);
  if (v === undefined) throw new Error(`bad duration "${d}"`);
  return v;
}
