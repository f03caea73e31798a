/**
 * A source of metrics polled once per agent cycle.
 *
 * Contract: `collect` never throws for a missing or unreadable file of one item (a process that
 * exited, a container that went away): it skips the item and counts it in its own self-metrics.
 * It rejects only when the whole source is unusable, and the agent then reports that collector as
 * failed for the cycle and carries on with the others.
 */
import type { MetricSet } from '@fathom/model';

export interface Collector {
  readonly name: string;
  collect(signal: AbortSignal): Promise<MetricSet>;
}
