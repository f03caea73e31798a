/**
 * Long-running components and how they are run together (oklog/run semantics, as in Prometheus'
 * composition root): every service runs until its signal aborts; the first one to settle, for any
 * reason, aborts all the others; the group settles when all have returned.
 */

/** A long-running component. `run` resolves after `signal` aborts; it rejects only on unrecoverable failure. */
export interface Service {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs every service until one settles or `signal` aborts, then aborts the rest and waits for them.
 * Rejects with the first error any service threw (after all have stopped).
 */
export async function runGroup(services: readonly Service[], signal: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  let firstError: Error | undefined;
  const runs = services.map(async (s) => {
    try {
      await s.run(controller.signal);
    } catch (err) {
      firstError ??= new Error(`${s.name}: ${(err as Error).message}`, { cause: err });
    } finally {
      stop();
    }
  });
  await Promise.all(runs);
  signal.removeEventListener('abort', stop);
  if (firstError !== undefined) throw firstError;
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
