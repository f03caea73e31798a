/** What an expression evaluates to at one instant, and the shape of query results. */
import type { Labels } from '@fathom/model';
import type { SampleColumns, SeriesData } from '@fathom/storage';

export interface VectorSample {
  readonly labels: Labels;
  readonly value: number;
  /** The sample's own timestamp, when it came straight from a selector (for `timestamp()`). */
  readonly tMs?: number;
}

export type InstantValue =
  | { readonly type: 'scalar'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'vector'; readonly samples: readonly VectorSample[] }
  | { readonly type: 'matrix'; readonly series: readonly SeriesData[] };

/**
 * The result of a query, in the Prometheus API's `resultType` terms. Times are ms. A matrix's
 * samples are columns (no object per output sample; readers must not write to them).
 */
export type QueryResult = (
  | { readonly resultType: 'scalar'; readonly tMs: number; readonly value: number }
  | { readonly resultType: 'string'; readonly tMs: number; readonly value: string }
  | { readonly resultType: 'vector'; readonly tMs: number; readonly samples: readonly VectorSample[] }
  | { readonly resultType: 'matrix'; readonly series: readonly { readonly labels: Labels; readonly samples: SampleColumns }[] }
) & {
  /** Notes for the API's `infos` (e.g. which rollup tier answered). */
  readonly infos?: readonly string[];
};
