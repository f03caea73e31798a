/**
 * The Explore table's columns as PromQL instant queries for one level of a grouping within a
 * scope (selectors, rate, increase, sum by, binary and set operators, histogram_quantile). Pure.
 */
import { PROCESS_LEVEL } from './grouping.js';
import { durationText, selector } from './promql.js';

export type ColumnId = 'cpu' | 'cpuReq' | 'cpuLim' | 'mem' | 'memLim' | 'restarts' | 'netRx' | 'netTx' | 'latency' | 'errors';

export interface ColumnQuery {
  readonly id: ColumnId;
  readonly expr: string;
}

export interface QueryContext {
  /** The label the rows are grouped by. */
  readonly by: string;
  /** The scope's labels. */
  readonly scope: Readonly<Record<string, string>>;
  /** The rate window. */
  readonly rateMs: number;
  /** The whole visible window (restarts counted over it). */
  readonly rangeMs: number;
}

function sumBy(by: string, inner: string): string {
  return `sum by (${by}) (${inner})`;
}

/** Queries for the table at this level. The process level reads `proc_*` series. */
export function columnQueries(ctx: QueryContext): ColumnQuery[] {
  const { by, scope } = ctx;
  const w = durationText(ctx.rateMs);
  const sel = (name: string, extra: readonly string[] = []): string => selector(name, scope, [`${by}!=""`, ...extra]);
  if (by === PROCESS_LEVEL || PROCESS_LEVEL in scope) {
    return [
      { id: 'cpu', expr: sumBy(by, `rate(${sel('proc_cpu_seconds_total')}[${w}])`) },
      { id: 'mem', expr: sumBy(by, sel('proc_resident_memory_bytes')) },
    ];
  }
  const qs: ColumnQuery[] = [
    { id: 'cpu', expr: sumBy(by, `rate(${sel('container_cpu_usage_seconds_total')}[${w}])`) },
    { id: 'cpuReq', expr: sumBy(by, sel('kube_pod_container_resource_requests', ['resource="cpu"'])) },
    { id: 'cpuLim', expr: sumBy(by, sel('kube_pod_container_resource_limits', ['resource="cpu"'])) },
    { id: 'mem', expr: sumBy(by, sel('container_memory_working_set_bytes')) },
    { id: 'memLim', expr: sumBy(by, sel('kube_pod_container_resource_limits', ['resource="memory"'])) },
    { id: 'restarts', expr: sumBy(by, `increase(${sel('kube_pod_container_status_restarts_total')}[${durationText(ctx.rangeMs)}])`) },
    { id: 'netRx', expr: sumBy(by, `rate(${sel('container_network_receive_bytes_total')}[${w}])`) },
    { id: 'netTx', expr: sumBy(by, `rate(${sel('container_network_transmit_bytes_total')}[${w}])`) },
    // p95 from the request-duration histogram; the mean where a service has no buckets.
    {
      id: 'latency',
      expr: `histogram_quantile(0.95, ${sumBy(`${by}, le`, `rate(${sel('http_request_duration_seconds_bucket')}[${w}])`)}) or ${sumBy(by, `rate(${sel('http_request_duration_seconds_sum')}[${w}])`)} / ${sumBy(by, `rate(${sel('http_request_duration_seconds_count')}[${w}])`)}`,
    },
    {
      id: 'errors',
      expr: `${sumBy(by, `rate(${sel('http_requests_total', ['code=~"5.."'])}[${w}])`)} / ${sumBy(by, `rate(${sel('http_requests_total')}[${w}])`)}`,
    },
  ];
  return qs;
}

/**
 * Cheapest first, by the server's CPU time per column at 10,000 pods (bench:web; the histogram's
 * p95 is ~5 times the others).
 */
const COST_ORDER: readonly ColumnId[] = ['memLim', 'cpuLim', 'cpuReq', 'mem', 'netTx', 'netRx', 'restarts', 'errors', 'cpu', 'latency'];

/** The base columns a table column is computed from. */
const SORT_NEEDS: Readonly<Record<string, readonly ColumnId[]>> = {
  cpuPctReq: ['cpu', 'cpuReq'], cpuPctLim: ['cpu', 'cpuLim'], memPctLim: ['mem', 'memLim'], net: ['netRx', 'netTx'],
};

/**
 * The order to ask the columns in: the ones the table is sorted by first (the first rows shown
 * are then the right ones), then the cheapest.
 */
export function loadOrder(queries: readonly ColumnQuery[], sortColumn: string): ColumnQuery[] {
  const first = SORT_NEEDS[sortColumn] ?? [sortColumn];
  const rank = (q: ColumnQuery): number => {
    const f = first.indexOf(q.id);
    return f >= 0 ? f - first.length : COST_ORDER.indexOf(q.id);
  };
  return [...queries].sort((a, b) => rank(a) - rank(b));
}
