/**
 * How far V8's old generation may grow past what the last major GC left before the next one:
 * `server.heapGrowthPercent` (default 100, twice the live heap: what Go's default GOGC=100 gives
 * Prometheus). 0 leaves V8's own factor.
 *
 * V8 sizes the old generation's next limit from its measured GC and allocation speeds; with the
 * server's ~75 MB live heap (16,000 series) and a query burst promoting a few MB a query, it chose
 * factors near its 1.1 floor, so the bench's 150 dashboard queries met 13 major GCs, each a
 * 4-14 ms pause plus 10-45 ms of marking steps inside the queries it landed on (`--trace-gc`);
 * at 100 %, 10 (the others are started by ArrayBuffers held past a scavenge, V8's "external memory
 * pressure", which this does not move). RSS after an ingest is unchanged: the idle GC
 * (idle-gc.ts) collects once the burst ends, and V8 returns the pages then.
 *
 * V8 reads the flag each time it recomputes the limit (after every major GC), so setting it at
 * start-up takes effect from the next collection on (tested); 0 puts V8's own factor back. A set
 * factor also replaces the small one V8 picks under memory pressure; the limit stays capped by the
 * heap's maximum size (`--max-old-space-size`), and the schema caps the factor at 4, V8's own top.
 */
import { setFlagsFromString } from 'node:v8';

export function applyHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth percent must be a non-negative integer, got ${percent}`);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
