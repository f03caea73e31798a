/**
 * API latency probe for the rules benchmark, run in a worker thread so the bench's own work
 * (encoding remote-write requests) does not delay the reading of the answers: every `everyMs`,
 * one `GET <url><path>` per engine, each engine in its own loop (a slow engine does not slow the
 * other's probing); a request taking longer than `timeoutMs` counts as a failure. On the message
 * 'stop' the worker posts `ProbeResult` per engine and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeTarget {
  readonly name: string;
  readonly url: string;
}

export interface ProbeInput {
  readonly targets: readonly ProbeTarget[];
  readonly path: string;
  readonly everyMs: number;
  readonly timeoutMs: number;
}

export interface ProbeResult {
  readonly name: string;
  /** Latency of each answered request, ms, in order. */
  readonly latenciesMs: number[];
  /** Requests that failed or took longer than `timeoutMs`. */
  readonly failures: number;
}

async function probe(t: ProbeTarget, input: ProbeInput, stopped: () => boolean): Promise<ProbeResult> {
  const latenciesMs: number[] = [];
  let failures = 0;
  while (!stopped()) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${t.url}${input.path}`, { signal: AbortSignal.timeout(input.timeoutMs) });
      await res.arrayBuffer();
      if (res.ok) latenciesMs.push(performance.now() - t0);
      else failures++;
    } catch {
      failures++;
    }
    const waitMs = input.everyMs - (performance.now() - t0);
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  }
  return { name: t.name, latenciesMs, failures };
}

if (parentPort) {
  const port = parentPort;
  const input = workerData as ProbeInput;
  let stop = false;
  port.once('message', () => (stop = true));
  const results = await Promise.all(input.targets.map((t) => probe(t, input, () => stop)));
  port.postMessage(results);
}
