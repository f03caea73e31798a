/**
 * Reads a rule file (Prometheus' format plus Fathom's kinds, docs/formats/alert-rules.md) and
 * validates all of it: every problem is reported with its line and column (a PromQL error at its
 * position inside `expr`, a template error inside its annotation). Pure.
 */
import { isValidLabelName, isValidMetricName, labelsKey, labelsOf } from '@fathom/model';
import { QueryError, parseQuery, typeOf } from '@fathom/query';
import { compileTemplate, TemplateError } from './template.js';
import type { CompiledTemplate } from './template.js';
import { RuleFileError } from './rule-types.js';
import type { AlertSource, AlertingRuleSpec, RuleFileSpec, RuleGroupSpec, RuleSpec, SourcePos } from './rule-types.js';
import { YamlReader } from './yaml-reader.js';
import type { YNode } from './yaml-reader.js';
import { readEvent, readNoData, readThreshold } from './rule-file-kinds.js';
import { compileNoData, compileThreshold, describeEvent } from './fathom-kinds.js';

/** The format versions this build reads (`fathom: 1` at the top; absent = 1). */
export const RULE_FORMAT_VERSIONS = [1] as const;

const TOP_KEYS = ['groups', 'fathom'];
const GROUP_KEYS = ['name', 'interval', 'limit', 'query_offset', 'rules'];
const RULE_KEYS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations', 'threshold', 'event', 'no_data'];
const KIND_KEYS = ['expr', 'threshold', 'event', 'no_data'] as const;

/** Parses and validates; throws {@link RuleFileError} listing every problem. */
export function parseRuleFile(name: string, text: string): RuleFileSpec {
  const r = new YamlReader(text);
  const groups = r.problems.length ? [] : readFile(r);
  if (r.problems.length) throw new RuleFileError(name, [...r.problems].sort((a, b) => a.line - b.line || a.column - b.column));
  return { name, source: text, groups };
}

function readFile(r: YamlReader): RuleGroupSpec[] {
  const root = r.doc.contents as YNode;
  if (root === null || root === undefined) return [];
  const top = r.map(root, 'rule file', TOP_KEYS);
  if (!top) return [];
  const version = top.get('fathom');
  if (version) {
    const v = r.num(version.value, 'fathom (format version)');
    if (v !== undefined && !(RULE_FORMAT_VERSIONS as readonly number[]).includes(v)) r.fail(version.value, `unsupported rule format version ${v} (this build reads ${RULE_FORMAT_VERSIONS.join(', ')})`);
  }
  const items = r.seq(top.get('groups')?.value, 'groups') ?? [];
  const out: RuleGroupSpec[] = [];
  const seen = new Set<string>();
  for (const g of items) {
    const group = readGroup(r, g);
    if (!group) continue;
    if (seen.has(group.name)) r.fail(g, `groupname: "${group.name}" is repeated in the same file`);
    seen.add(group.name);
    out.push(group);
  }
  return out;
}

function readGroup(r: YamlReader, node: YNode): RuleGroupSpec | undefined {
  const m = r.map(node, 'group', GROUP_KEYS);
  if (!m) return undefined;
  const nameNode = m.get('name');
  const name = nameNode ? r.str(nameNode.value, 'group name') : r.fail(node, 'group name must not be empty (field "name")');
  if (name === '') r.fail(nameNode?.value, 'group name must not be empty');
  const interval = m.get('interval');
  const intervalMs = interval ? r.duration(interval.value, 'interval') : undefined;
  if (intervalMs === 0) r.fail(interval?.value, 'interval must be greater than 0');
  const offset = m.get('query_offset');
  const limit = m.get('limit');
  const rules: RuleSpec[] = [];
  const identities = new Set<string>();
  for (const rn of r.seq(m.get('rules')?.value, 'rules') ?? []) {
    const rule = readRule(r, rn);
    if (!rule) continue;
    const identity = `${rule.type}\xff${rule.name}\xff${labelsKey(rule.type === 'recording' ? rule.labels : staticLabels(rule))}`;
    if (identities.has(identity)) r.fail(rn, `duplicate rule: ${rule.type === 'recording' ? 'record' : 'alert'} "${rule.name}" with the same labels is already defined in group "${name ?? ''}"`);
    identities.add(identity);
    rules.push(rule);
  }
  return {
    name: name ?? '',
    ...(intervalMs ? { intervalMs } : {}),
    queryOffsetMs: (offset ? r.duration(offset.value, 'query_offset') : 0) ?? 0,
    limit: (limit ? r.int(limit.value, 'limit', 0) : 0) ?? 0,
    rules,
    pos: r.pos(node),
  };
}

function staticLabels(rule: AlertingRuleSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(rule.labels)) out[k] = t.source;
  return labelsOf(out);
}

function readRule(r: YamlReader, node: YNode): RuleSpec | undefined {
  const m = r.map(node, 'rule', RULE_KEYS);
  if (!m) return undefined;
  const pos = r.pos(node);
  const record = m.get('record');
  const alert = m.get('alert');
  if (record && alert) return r.fail(alert.key, "only one of 'record' and 'alert' must be set");
  if (!record && !alert) return r.fail(node, "one of 'record' or 'alert' must be set");
  const kinds = KIND_KEYS.filter((k) => m.has(k));
  if (kinds.length === 0) return r.fail(node, record ? "field 'expr' must be set in rule" : "one of 'expr', 'threshold', 'event' or 'no_data' must be set in rule");
  if (kinds.length > 1) return r.fail(m.get(kinds[1] ?? 'expr')?.key, `only one of ${kinds.map((k) => `'${k}'`).join(' and ')} may be set`);
  if (record) {
    for (const k of ['for', 'keep_firing_for', 'annotations', 'threshold', 'event', 'no_data']) if (m.has(k)) r.fail(m.get(k)?.key, `invalid field '${k}' in recording rule`);
    const name = r.str(record.value, 'record');
    if (name !== undefined && !isValidMetricName(name)) r.fail(record.value, `invalid recording rule name: ${name}`);
    const expr = readExpr(r, m.get('expr')?.value);
    const labels = readLabels(r, m.get('labels')?.value, false);
    if (name === undefined || expr === undefined) return undefined;
    const plain: Record<string, string> = {};
    for (const [k, t] of Object.entries(labels)) plain[k] = t.source;
    return { type: 'recording', name, expr, labels: labelsOf(plain), pos };
  }
  const name = r.str(alert?.value, 'alert');
  if (name === '') r.fail(alert?.value, 'alert name must not be empty');
  const forMs = m.has('for') ? r.duration(m.get('for')?.value, 'for') : 0;
  const keepMs = m.has('keep_firing_for') ? r.duration(m.get('keep_firing_for')?.value, 'keep_firing_for') : 0;
  const labels = readLabels(r, m.get('labels')?.value, true);
  const annotations = readTemplates(r, m.get('annotations')?.value, 'annotation', false);
  const kind = readKind(r, kinds[0] ?? 'expr', m.get(kinds[0] ?? 'expr')?.value);
  if (!name || forMs === undefined || keepMs === undefined || !kind) return undefined;
  return { type: 'alerting', name, expr: kind.expr, source: kind.source, forMs, keepFiringForMs: keepMs, labels, annotations, pos };
}

function readKind(r: YamlReader, kind: (typeof KIND_KEYS)[number], node: YNode): { expr: string; source: AlertSource } | undefined {
  switch (kind) {
    case 'expr': {
      const expr = readExpr(r, node);
      return expr === undefined ? undefined : { expr, source: { kind: 'promql' } };
    }
    case 'threshold': {
      const t = readThreshold(r, node);
      return t && checked(r, node, compileThreshold(t), { kind: 'threshold' });
    }
    case 'no_data': {
      const n = readNoData(r, node);
      return n && checked(r, node, compileNoData(n), { kind: 'no_data' });
    }
    case 'event': {
      const e = readEvent(r, node);
      return e && { expr: describeEvent(e), source: { kind: 'event', event: e } };
    }
  }
}

/** Compiled PromQL must parse; a failure here is a bug in the compiler or a bad metric name. */
function checked(r: YamlReader, node: YNode, expr: string, source: AlertSource): { expr: string; source: AlertSource } | undefined {
  try {
    parseQuery(expr);
    return { expr, source };
  } catch (err) {
    return r.fail(node, `compiles to invalid PromQL ${JSON.stringify(expr)}: ${(err as Error).message}`);
  }
}

function readExpr(r: YamlReader, node: YNode): string | undefined {
  const expr = r.str(node, 'expr');
  if (expr === undefined) return undefined;
  try {
    const type = typeOf(parseQuery(expr));
    if (type !== 'vector' && type !== 'scalar') return r.fail(node, `expr must return an instant vector or a scalar, not a ${type === 'matrix' ? 'range vector' : type}`);
    return expr;
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    const m = /^(\d+):(\d+): (.*)$/s.exec(err.message);
    if (!m) return r.fail(node, `could not parse expression: ${err.message}`);
    const [line, col] = [Number(m[1]), Number(m[2])];
    const offset = expr.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
    return r.fail(r.innerPos(node, offset), `could not parse expression: ${m[3] ?? ''}`);
  }
}

function readLabels(r: YamlReader, node: YNode, templated: boolean): Record<string, CompiledTemplate> {
  return readTemplates(r, node, 'label', !templated);
}

function readTemplates(r: YamlReader, node: YNode, what: 'label' | 'annotation', staticOnly: boolean): Record<string, CompiledTemplate> {
  const out: Record<string, CompiledTemplate> = {};
  for (const [key, v] of r.strings(node, `${what}s`) ?? []) {
    if (!isValidLabelName(key) || (what === 'label' && key === '__name__')) {
      r.fail(v.keyNode, `invalid ${what} name: ${key}`);
      continue;
    }
    if (staticOnly) {
      out[key] = { source: v.value, isStatic: true, expand: () => v.value };
      continue;
    }
    try {
      out[key] = compileTemplate(v.value);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      r.fail(r.innerPos(v.node, err.pos), `${what} "${key}": template: ${err.message}`);
    }
  }
  return out;
}

export type { SourcePos };
