import { labelsOf } from '@fathom/model';
import type { MetricMeta, MetricSet, Millis, Point } from '@fathom/model';
import { PROTOCOL_VERSION, sampleTuple } from '@fathom/protocol';
import type { AgentInfo, Batch } from '@fathom/protocol';

/** Adds the `host` label every series of this agent carries. */
export function withHost(points: readonly Point[], host: string): Point[] {
  return points.map((p) => ({ labels: labelsOf({ ...p.labels, host }), value: p.value }));
}

/** One cycle's points as a protocol batch (one sample per series, all at `tMs`). */
export function toBatch(set: MetricSet, agent: AgentInfo, seq: number, tMs: Millis): Batch {
  const metadata: Record<string, MetricMeta> = Object.fromEntries(set.meta);
  return {
    version: PROTOCOL_VERSION,
    agent,
    seq,
    metadata,
    series: set.points.map((p) => ({ labels: p.labels, samples: [sampleTuple(tMs, p.value)] })),
  };
}
