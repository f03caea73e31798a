/** Metric metadata and collected points, shared by the agent and the server. */
import type { Labels } from './labels.js';

/** Milliseconds since the Unix epoch, UTC. Every timestamp in Fathom uses this unit. */
export type Millis = number;

export type MetricType = 'counter' | 'gauge' | 'untyped';

/** What a metric name means: its type and a one-line help text, as in the exposition format. */
export interface MetricMeta {
  readonly type: MetricType;
  readonly help: string;
}

/** One value of one series (labels include `__name__`). */
export interface Point {
  readonly labels: Labels;
  readonly value: number;
}

/** A timestamped value. */
export interface Sample {
  readonly tMs: Millis;
  readonly value: number;
}

/** The result of one collection: points plus the metadata of every metric name used. */
export interface MetricSet {
  readonly meta: ReadonlyMap<string, MetricMeta>;
  readonly points: readonly Point[];
}
