/**
 * Agent → server batch, protocol version 1. Spec: docs/formats/agent-protocol.md.
 * One batch carries every series an agent collected in one or more cycles.
 */
import type { MetricMeta, Millis } from '@fathom/model';

export const PROTOCOL_VERSION = 1;
export const BATCH_CONTENT_TYPE = 'application/vnd.fathom.batch.v1+json';

/** Who sent a batch. `id` is stable across agent restarts (kept in its data dir). */
export interface AgentInfo {
  readonly id: string;
  readonly host: string;
  readonly version: string;
}

/** One series and its samples, oldest first. Values are numbers, or NaN/±Inf as strings on the wire. */
export interface BatchSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [tMs: Millis, value: number])[];
}

export interface Batch {
  readonly version: typeof PROTOCOL_VERSION;
  readonly agent: AgentInfo;
  /** Increases by one per batch of this agent; lets the server log gaps and duplicates. */
  readonly seq: number;
  readonly metadata: Readonly<Record<string, MetricMeta>>;
  readonly series: readonly BatchSeries[];
}

/** Number of samples in a batch. */
export function sampleCount(batch: Batch): number {
  let n = 0;
  for (const s of batch.series) n += s.samples.length;
  return n;
}
