/**
 * Typed reading of a YAML document with positions: every accessor reports problems at the line
 * and column of the offending node (or key) and returns undefined, so one pass finds them all.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar } from 'yaml';
import { parseDurationMs } from '@fathom/model';
import type { RuleProblem, SourcePos } from './rule-types.js';

export type YNode = Node | null | undefined;

export class YamlReader {
  readonly problems: RuleProblem[] = [];
  readonly doc: Document.Parsed;
  private readonly _lines = new LineCounter();

  constructor(readonly text: string) {
    this.doc = parseDocument(text, { lineCounter: this._lines, uniqueKeys: true, prettyErrors: false, strict: true });
    for (const e of this.doc.errors) {
      const at = e.linePos?.[0] ? { line: e.linePos[0].line, column: e.linePos[0].col } : this.posAt(e.pos[0]);
      this.problems.push({ ...at, message: e.message.split('\n')[0] ?? e.message });
    }
  }

  posAt(offset: number): SourcePos {
    const p = this._lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line, column: p.col };
  }

  pos(node: YNode, fallback?: SourcePos): SourcePos {
    const start = node?.range?.[0];
    return start === undefined ? (fallback ?? { line: 1, column: 1 }) : this.posAt(start);
  }

  fail(at: YNode | SourcePos, message: string): undefined {
    const p = at && 'line' in at ? at : this.pos(at);
    this.problems.push({ ...p, message });
    return undefined;
  }

  /**
   * Position in the file of an offset into a scalar's value: each line of the value is looked up
   * in the scalar's source text in order, which holds for plain, quoted (without escapes) and
   * block scalars; otherwise the scalar's start.
   */
  innerPos(node: YNode, valueOffset: number): SourcePos {
    const range = node?.range;
    if (!range || !isScalar(node)) return this.pos(node);
    const src = this.text.slice(range[0], range[1]);
    const value = String(node.value);
    let cursor = 0;
    let acc = 0;
    for (const line of value.split('\n')) {
      const at = line === '' ? cursor : src.indexOf(line, cursor);
      if (at < 0) break;
      if (valueOffset <= acc + line.length) return this.posAt(range[0] + at + (valueOffset - acc));
      cursor = at + line.length;
      acc += line.length + 1;
    }
    return this.pos(node);
  }

  /** The pairs of a mapping, by key; unknown keys are problems. */
  map(node: YNode, what: string, allowed: readonly string[]): Map<string, Pair<Scalar, YNode>> | undefined {
    if (!isMap(node)) return this.fail(node, `${what} must be a mapping`);
    const out = new Map<string, Pair<Scalar, YNode>>();
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.fail(pair.key, `${what}: keys must be plain strings`);
        continue;
      }
      if (!allowed.includes(key)) {
        this.fail(pair.key, `unknown field "${key}" in ${what} (known: ${allowed.join(', ')})`);
        continue;
      }
      out.set(key, pair);
    }
    return out;
  }

  seq(node: YNode, what: string): YNode[] | undefined {
    if (node === null || node === undefined) return [];
    if (isScalar(node) && node.value === null) return [];
    if (!isSeq(node)) return this.fail(node, `${what} must be a list`);
    return node.items as YNode[];
  }

  str(node: YNode, what: string): string | undefined {
    return isScalar(node) ? (scalarText(node.value) ?? this.fail(node, `${what} must be a string`)) : this.fail(node, `${what} must be a string`);
  }

  num(node: YNode, what: string): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) return this.fail(node, `${what} must be a number`);
    return n;
  }

  int(node: YNode, what: string, min: number): number | undefined {
    const n = this.num(node, what);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < min) return this.fail(node, `${what} must be an integer ≥ ${min}`);
    return n;
  }

  /** A Prometheus duration (`5m`, `1h30m`, `0s`, `0`). */
  duration(node: YNode, what: string): number | undefined {
    const text = this.str(node, what);
    if (text === undefined) return undefined;
    const ms = text === '0' ? 0 : parseDurationMs(text);
    if (ms === undefined) return this.fail(node, `${what}: not a valid duration string: ${JSON.stringify(text)} (expected e.g. 30s, 5m, 1h30m)`);
    return ms;
  }

  /** A mapping of strings to strings, with each value's node. */
  strings(node: YNode, what: string): Map<string, { value: string; node: YNode; keyNode: YNode }> | undefined {
    const out = new Map<string, { value: string; node: YNode; keyNode: YNode }>();
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) return this.fail(node, `${what} must be a mapping of names to strings`);
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        this.fail(pair.key, `${what}: names must be strings`);
        continue;
      }
      const v = pair.value;
      const text = isScalar(v) ? scalarText(v.value) : undefined;
      if (text === undefined) {
        this.fail(v ?? pair.key, `${what}: "${key}" must have a string value`);
        continue;
      }
      out.set(key, { value: text, node: v, keyNode: pair.key });
    }
    return out;
  }

  /** A string or a list of strings. */
  stringList(node: YNode, what: string): string[] | undefined {
    if (isScalar(node)) {
      const s = this.str(node, what);
      return s === undefined ? undefined : [s];
    }
    const items = this.seq(node, what);
    if (!items) return undefined;
    const out: string[] = [];
    for (const it of items) {
      const s = this.str(it, `${what} item`);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
}

/** A scalar's value as text (strings, numbers, booleans); undefined for null and anything else. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}
