/** Reading Fathom's rule kinds (`threshold`, `event`, `no_data`) from a rule file, with positions. */
import { isValidLabelName, isValidMetricName } from '@fathom/model';
import { COMPARISONS, THRESHOLD_AGGREGATES, THRESHOLD_FUNCTIONS } from './fathom-kinds.js';
import type { NoDataSpec, ThresholdSpec } from './fathom-kinds.js';
import type { EventCondition } from './rule-types.js';
import type { YNode, YamlReader } from './yaml-reader.js';

function oneOf<T extends string>(r: YamlReader, node: YNode, what: string, allowed: readonly T[]): T | undefined {
  const s = r.str(node, what);
  if (s === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(s)) return r.fail(node, `${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(s)}`);
  return s as T;
}

function scope(r: YamlReader, node: YNode, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of r.strings(node, what) ?? []) {
    if (!isValidLabelName(k)) r.fail(v.keyNode, `${what}: invalid label name: ${k}`);
    else out[k] = v.value;
  }
  return out;
}

function labelList(r: YamlReader, node: YNode, what: string): string[] {
  const list = node === undefined ? [] : (r.stringList(node, what) ?? []);
  for (const l of list) if (!isValidLabelName(l)) r.fail(node, `${what}: invalid label name: ${l}`);
  return list;
}

function metric(r: YamlReader, node: YNode, what: string): string | undefined {
  if (node === undefined) return r.fail(node, `${what}: field "metric" is required`);
  const m = r.str(node, `${what}.metric`);
  if (m !== undefined && !isValidMetricName(m)) return r.fail(node, `${what}.metric: invalid metric name: ${m}`);
  return m;
}

export function readThreshold(r: YamlReader, node: YNode): ThresholdSpec | undefined {
  const m = r.map(node, 'threshold', ['metric', 'scope', 'function', 'window', 'aggregate', 'by', 'op', 'value']);
  if (!m) return undefined;
  const name = m.has('metric') ? metric(r, m.get('metric')?.value, 'threshold') : r.fail(node, 'threshold: field "metric" is required');
  const fn = m.has('function') ? oneOf(r, m.get('function')?.value, 'threshold.function', THRESHOLD_FUNCTIONS) : undefined;
  const windowMs = m.has('window') ? r.duration(m.get('window')?.value, 'threshold.window') : undefined;
  if (fn && !windowMs) r.fail(node, `threshold: "function: ${fn}" needs a "window" (e.g. 5m)`);
  if (!fn && windowMs) r.fail(m.get('window')?.key, 'threshold: "window" needs a "function" (e.g. rate or avg_over_time)');
  const aggregate = m.has('aggregate') ? oneOf(r, m.get('aggregate')?.value, 'threshold.aggregate', THRESHOLD_AGGREGATES) : 'avg';
  const op = m.has('op') ? oneOf(r, m.get('op')?.value, 'threshold.op', COMPARISONS) : r.fail(node, 'threshold: field "op" is required (>, >=, <, <=, ==, !=)');
  const value = m.has('value') ? r.num(m.get('value')?.value, 'threshold.value') : r.fail(node, 'threshold: field "value" is required');
  const by = labelList(r, m.get('by')?.value, 'threshold.by');
  if (!name || !aggregate || !op || value === undefined) return undefined;
  return { metric: name, scope: scope(r, m.get('scope')?.value, 'threshold.scope'), ...(fn ? { function: fn } : {}), ...(windowMs ? { windowMs } : {}), aggregate, by, op, value };
}

export function readNoData(r: YamlReader, node: YNode): NoDataSpec | undefined {
  const m = r.map(node, 'no_data', ['metric', 'scope', 'by', 'absent_for', 'lookback']);
  if (!m) return undefined;
  const name = m.has('metric') ? metric(r, m.get('metric')?.value, 'no_data') : r.fail(node, 'no_data: field "metric" is required');
  const by = labelList(r, m.get('by')?.value, 'no_data.by');
  if (by.length === 0) r.fail(node, 'no_data: "by" must name at least one label (the entity that must keep reporting, e.g. [host])');
  const absentForMs = m.has('absent_for') ? r.duration(m.get('absent_for')?.value, 'no_data.absent_for') : 300_000;
  const lookbackMs = m.has('lookback') ? r.duration(m.get('lookback')?.value, 'no_data.lookback') : 3_600_000;
  if (absentForMs !== undefined && lookbackMs !== undefined && absentForMs >= lookbackMs) r.fail(node, 'no_data: "lookback" must be longer than "absent_for"');
  if (absentForMs === 0) r.fail(m.get('absent_for')?.value, 'no_data.absent_for must be greater than 0');
  if (!name || by.length === 0 || !absentForMs || !lookbackMs) return undefined;
  return { metric: name, scope: scope(r, m.get('scope')?.value, 'no_data.scope'), by, absentForMs, lookbackMs };
}

export function readEvent(r: YamlReader, node: YNode): EventCondition | undefined {
  const m = r.map(node, 'event', ['reason', 'type', 'source', 'scope', 'by', 'window', 'min_count']);
  if (!m) return undefined;
  const reasons = m.has('reason') ? r.stringList(m.get('reason')?.value, 'event.reason') : r.fail(node, 'event: field "reason" is required (e.g. OOMKilled)');
  if (reasons && reasons.length === 0) r.fail(m.get('reason')?.value, 'event.reason must name at least one reason');
  const type = m.has('type') ? oneOf(r, m.get('type')?.value, 'event.type', ['Normal', 'Warning'] as const) : undefined;
  const source = m.has('source') ? oneOf(r, m.get('source')?.value, 'event.source', ['kubernetes', 'alert', 'fathom'] as const) : undefined;
  const windowMs = m.has('window') ? r.duration(m.get('window')?.value, 'event.window') : r.fail(node, 'event: field "window" is required (e.g. 10m)');
  if (windowMs === 0) r.fail(m.get('window')?.value, 'event.window must be greater than 0');
  const minCount = m.has('min_count') ? r.int(m.get('min_count')?.value, 'event.min_count', 1) : 1;
  const by = labelList(r, m.get('by')?.value, 'event.by');
  if (!reasons?.length || !windowMs || !minCount) return undefined;
  return { reasons, ...(type ? { type } : {}), ...(source ? { source } : {}), scope: scope(r, m.get('scope')?.value, 'event.scope'), by, windowMs, minCount };
}
