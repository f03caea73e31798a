/**
 * The Explore table's column worker: fetches an instant query, parses its JSON (~1 MB at 10,000
 * pods) and posts back names and a transferred Float64Array, so the page's main thread only
 * files the values into the table.
 */
import { fetchTiming, toColumn } from './column-data.js';
import type { WorkerReply, WorkerRequest } from './column-data.js';
import { instantQuery, instantQueryUrl } from './prom-client.js';

const running = new Map<number, AbortController>();
performance.setResourceTimingBufferSize(1000);

function reply(msg: WorkerReply): void {
  self.postMessage(msg, msg.ok ? { transfer: [msg.values.buffer] } : {});
}

async function load(id: number, expr: string, atMs: number, by: string, signal: AbortSignal): Promise<void> {
  const startMs = performance.timeOrigin + performance.now();
  const url = instantQueryUrl(expr, atMs);
  try {
    const r = await instantQuery(expr, atMs, signal);
    const { names, values } = toColumn(r.result, by);
    const timing = { startMs, ...fetchTiming(url), parsedMs: performance.timeOrigin + performance.now() };
    // The buffer is emptied only when no other load still has to read its entry.
    if (running.size <= 1) performance.clearResourceTimings();
    if (!signal.aborted) reply({ id, ok: true, names: names as string[], values, timing });
  } catch (err) {
    if (!signal.aborted) reply({ id, ok: false, error: (err as Error).message });
  }
}

self.onmessage = (e: MessageEvent<WorkerRequest>): void => {
  const m = e.data;
  if (m.kind === 'cancel') {
    running.get(m.id)?.abort();
    running.delete(m.id);
    return;
  }
  const ac = new AbortController();
  running.set(m.id, ac);
  void load(m.id, m.expr, m.atMs, m.by, ac.signal).finally(() => running.delete(m.id));
};
