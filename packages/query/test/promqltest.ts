/**
 * A runner for a subset of Prometheus' promqltest script format (promql/promqltest/README.md):
 *
 *   load <step>
 *     <series> <values…>          values: `1 2 _ stale`, expansions `0+10x5`, `5-1x3`, `1x3`
 *   eval instant at <duration> <expr>
 *     <series> <value>            expected result, any order; no lines = empty result
 *   eval_fail instant at <duration> <expr>
 *     expected_fail_message <substring>   (optional)
 *   eval range from <dur> to <dur> step <dur> <expr>
 *     <series> <values…>
 *   clear
 *
 * Samples are compared with a relative tolerance of 1e-6, as promqltest does.
 */
import assert from 'node:assert/strict';
import { formatLabels, labelsOf, parseDurationMs, STALE_NAN } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { JournaledStorage } from '@fathom/storage';
import { QueryEngine, QueryError } from '../src/index.js';
import type { QueryResult } from '../src/index.js';

export interface ScriptCase {
  readonly line: number;
  readonly title: string;
  run(): Promise<void>;
}

type Series = [Labels, (number | undefined)[]];


/** Splits a script into runnable cases; `newStorage` gives each `load`/`clear` epoch a store. */
export function parseScript(text: string, newStorage: () => JournaledStorage): ScriptCase[] {
  const lines = text.split('\n');
  const cases: ScriptCase[] = [];
  let storage = newStorage();
  let engine = new QueryEngine(storage);
  let i = 0;
  const block = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && /^\s+\S/.test(lines[i] ?? '')) out.push((lines[i++] ?? '').trim());
    return out;
  };
  while (i < lines.length) {
    const line = (lines[i] ?? '').trim();
    const lineNo = ++i;
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'clear') {
      storage = newStorage();
      engine = new QueryEngine(storage);
      continue;
    }
    const load = /^load\s+(\S+)$/.exec(line);
    if (load) {
      const step = duration(load[1] ?? '');
      const series = block().map(parseSeriesLine);
      const target = storage;
      cases.push({ line: lineNo, title: `load at line ${lineNo}`, run: () => loadSeries(target, series, step) });
      continue;
    }
    const q = engine;
    const expect = block();
    cases.push({ line: lineNo, title: line, run: () => runEval(q, line, expect) });
  }
  return cases;
}

async function loadSeries(storage: JournaledStorage, series: Series[], stepMs: number): Promise<void> {
  const app = storage.appender();
  for (const [labels, values] of series) values.forEach((v, k) => v !== undefined && app.append(labels, k * stepMs, v));
  const r = await app.commit();
  assert.equal(r.rejected, 0, r.errors.map((e) => e.message).join('; '));
}

async function runEval(engine: QueryEngine, line: string, expect: string[]): Promise<void> {
  const inst = /^(eval|eval_fail) instant at (\S+) (.+)$/.exec(line);
  const range = /^(eval|eval_fail) range from (\S+) to (\S+) step (\S+) (.+)$/.exec(line);
  if (!inst && !range) throw new Error(`unknown command: ${line}`);
  const fail = (inst?.[1] ?? range?.[1]) === 'eval_fail';
  const run = (): Promise<QueryResult> =>
    inst ? engine.instantQuery(inst[3] ?? '', duration(inst[2] ?? '')) : engine.rangeQuery(range?.[5] ?? '', duration(range?.[2] ?? ''), duration(range?.[3] ?? ''), duration(range?.[4] ?? ''));
  if (fail) {
    const msg = expect.find((l) => l.startsWith('expected_fail_message '))?.slice('expected_fail_message '.length);
    await assert.rejects(run(), (err: unknown) => err instanceof QueryError && (msg === undefined || err.message.includes(msg)));
    return;
  }
  const result = await run();
  const got = resultLines(result);
  const want = new Map(expect.map(parseSeriesLine).map(([l, v]) => [formatLabels(l), v]));
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `series differ for ${line}`);
  for (const [key, values] of want) {
    const actual = got.get(key) ?? [];
    assert.equal(actual.length, values.length, `${key}: ${actual.length} points, want ${values.length}`);
    values.forEach((w, k) => assertClose(actual[k], w, `${key}[${k}]`));
  }
}

function resultLines(r: QueryResult): Map<string, (number | undefined)[]> {
  if (r.resultType === 'scalar') return new Map([['{}', [r.value]]]);
  if (r.resultType === 'string') return new Map([['{}', [Number.NaN]]]);
  if (r.resultType === 'vector') return new Map(r.samples.map((s) => [formatLabels(s.labels), [s.value]]));
  return new Map(r.series.map((s) => [formatLabels(s.labels), Array.from(s.samples.values)]));
}

function assertClose(actual: number | undefined, want: number | undefined, what: string): void {
  if (want === undefined || actual === undefined) return assert.equal(actual, want, what);
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(actual), `${what}: got ${actual}, want NaN`);
  if (!Number.isFinite(want)) return assert.equal(actual, want, what);
  const tol = Math.max(1e-6 * Math.abs(want), 1e-12);
  assert.ok(Math.abs(actual - want) <= tol, `${what}: got ${actual}, want ${want}`);
}

function duration(text: string): number {
  const ms = parseDurationMs(text) ?? (/^\d+$/.test(text) ? Number(text) * 1000 : undefined);
  if (ms === undefined) throw new Error(`bad duration ${text}`);
  return ms;
}

/** `name{a="b"} 1 2+3x4 _ stale` → labels and expanded values. */
export function parseSeriesLine(line: string): Series {
  const m = /^([a-zA-Z_:][\w:]*)?(\{[^}]*\})?\s*(.*)$/.exec(line.trim());
  if (!m) throw new Error(`bad series line: ${line}`);
  const rec: Record<string, string> = {};
  if (m[1]) rec['__name__'] = m[1];
  for (const [, k, v] of (m[2] ?? '').matchAll(/([\w]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) rec[k ?? ''] = JSON.parse(`"${v ?? ''}"`) as string;
  return [labelsOf(rec), expandValues(m[3] ?? '')];
}

function expandValues(text: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const tok of text.split(/\s+/).filter(Boolean)) {
    const exp = /^(-?[\d.]+(?:e[+-]?\d+)?|_)([+-][\d.]+(?:e[+-]?\d+)?)?x(\d+)$/.exec(tok);
    if (exp) {
      const [, start, delta, times] = exp;
      for (let k = 0; k <= Number(times); k++) out.push(start === '_' ? undefined : Number(start) + k * Number(delta ?? 0));
    } else out.push(tok === '_' ? undefined : tok === 'stale' ? STALE_NAN : Number(tok.replace(/^Inf$/, 'Infinity').replace(/^\+Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity')));
  }
  return out;
}
