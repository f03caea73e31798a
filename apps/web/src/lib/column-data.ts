/**
 * One Explore column's answer as the table needs it, and the messages with the worker that
 * fetches and parses the answers off the main thread. Pure.
 */
import type { InstantSample } from './prom-client.js';
import type { ColumnData } from './table-model.js';

/** Where one column's time went, in epoch milliseconds (performance.timeOrigin + now). */
export interface ColumnTiming {
  readonly startMs: number;
  /** The first byte of the answer (the server's time plus queueing), when the browser says. */
  readonly responseStartMs?: number;
  readonly responseEndMs?: number;
  /** JSON parsed and turned into names and values. */
  readonly parsedMs: number;
  readonly bytes?: number;
}

export interface LoadedColumn {
  readonly data: ColumnData;
  readonly timing: ColumnTiming;
}

/** Main thread → worker: load one column, or cancel a load. */
export type WorkerRequest =
  | { readonly kind: 'load'; readonly id: number; readonly expr: string; readonly atMs: number; readonly by: string }
  | { readonly kind: 'cancel'; readonly id: number };

/** Worker → main thread. `values` is transferred, not copied. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly names: string[]; readonly values: Float64Array; readonly timing: ColumnTiming }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The samples of a vector answer as names (the `by` label; '' when absent) and values. */
export function toColumn(samples: readonly InstantSample[], by: string): ColumnData {
  const names = new Array<string>(samples.length);
  const values = new Float64Array(samples.length);
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k]!;
    names[k] = s.metric[by] ?? '';
    values[k] = Number(s.value[1]);
  }
  return { names, values };
}

/** The timing of the last fetch of `url` from the Resource Timing buffer, in epoch milliseconds. */
export function fetchTiming(url: string): Pick<ColumnTiming, 'responseStartMs' | 'responseEndMs' | 'bytes'> {
  const entries = performance.getEntriesByName(new URL(url, location.href).href, 'resource') as PerformanceResourceTiming[];
  const e = entries[entries.length - 1];
  if (e === undefined) return {};
  const origin = performance.timeOrigin;
  return { responseStartMs: origin + e.responseStart, responseEndMs: origin + e.responseEnd, ...(e.encodedBodySize > 0 ? { bytes: e.encodedBodySize } : {}) };
}
