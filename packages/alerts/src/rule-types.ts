/**
 * A rule file as loaded: Prometheus' groups of recording and alerting rules, and Fathom's kinds
 * (threshold, event, no-data) compiled into the same alerting-rule shape. Format:
 * docs/formats/alert-rules.md.
 */
import type { Labels } from '@fathom/model';
import type { CompiledTemplate } from './template.js';

/** 1-based line and column in the rule file. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** An event-alert condition, evaluated over the EventStore rather than PromQL. */
export interface EventCondition {
  readonly reasons: readonly string[];
  readonly type?: 'Normal' | 'Warning';
  readonly source?: string;
  /** Label matchers on the events (label = value, or `=~`, `!=`, `!~` prefixed values). */
  readonly scope: Readonly<Record<string, string>>;
  readonly by: readonly string[];
  readonly windowMs: number;
  /** Alert when at least this many events matched within the window. */
  readonly minCount: number;
}

export type AlertSource =
  | { readonly kind: 'promql' }
  | { readonly kind: 'threshold' }
  | { readonly kind: 'no_data' }
  | { readonly kind: 'event'; readonly event: EventCondition };

export interface RecordingRuleSpec {
  readonly type: 'recording';
  readonly name: string;
  readonly expr: string;
  readonly labels: Labels;
  readonly pos: SourcePos;
}

export interface AlertingRuleSpec {
  readonly type: 'alerting';
  readonly name: string;
  /** PromQL evaluated each time; for event rules, a description of the condition (not PromQL). */
  readonly expr: string;
  readonly source: AlertSource;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, CompiledTemplate>>;
  readonly annotations: Readonly<Record<string, CompiledTemplate>>;
  readonly pos: SourcePos;
}

export type RuleSpec = RecordingRuleSpec | AlertingRuleSpec;

export interface RuleGroupSpec {
  readonly name: string;
  /** Absent: the configured default interval. */
  readonly intervalMs?: number;
  /** Evaluate at `t - queryOffsetMs` (Prometheus' query_offset), default 0. */
  readonly queryOffsetMs: number;
  /** Most series an alerting rule may produce and records a recording rule may write (0 = no limit). */
  readonly limit: number;
  readonly rules: readonly RuleSpec[];
  readonly pos: SourcePos;
}

export interface RuleFileSpec {
  /** The file name (`node.yaml`), unique among loaded files. */
  readonly name: string;
  readonly source: string;
  readonly groups: readonly RuleGroupSpec[];
}

/** A rule-file problem at a line and column; `message` does not repeat the position. */
export interface RuleProblem extends SourcePos {
  readonly message: string;
}

/** A refused rule file: every problem found, the first is the headline. */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly RuleProblem[],
  ) {
    const p = problems[0];
    super(p ? `${file}:${p.line}:${p.column}: ${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}` : `${file}: invalid rule file`);
  }
  get line(): number {
    return this.problems[0]?.line ?? 1;
  }
  get column(): number {
    return this.problems[0]?.column ?? 1;
  }
}
