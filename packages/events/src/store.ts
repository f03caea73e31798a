/** The event store seam: producers append, the HTTP API and the UI query. */
import type { Matcher } from '@fathom/model';
import type { FathomEvent } from './event.js';

export interface EventQuery {
  /** Inclusive bounds on `atMs`. */
  readonly startMs: number;
  readonly endMs: number;
  /**
   * Selector sets, ORed (like Prometheus' repeated `match[]`); within a set all must match. Matchers
   * see the event's labels plus `type`, `reason` and `source` (labels win on a clash). Empty = all.
   */
  readonly matchers?: readonly (readonly Matcher[])[];
  /** At most this many events, newest first. */
  readonly limit: number;
}

export interface EventStoreStats {
  readonly events: number;
  readonly appendedTotal: number;
  /** Events dropped: older than retention on arrival, or pushed out by the in-memory bound. */
  readonly droppedTotal: Readonly<Record<'retention' | 'capacity', number>>;
}

/**
 * Contract: `append` validates nothing (callers pass events from {@link parseEvent}), makes the
 * events durable before it resolves (per the implementation's fsync setting), and never reorders
 * what `query` returns: newest `atMs` first, ties in reverse append order. Events older than the
 * retention are not returned.
 */
export interface EventStore {
  append(events: readonly FathomEvent[]): Promise<void>;
  query(q: EventQuery): Promise<FathomEvent[]>;
  stats(): EventStoreStats;
  close(): Promise<void>;
}
