/**
 * A doorbell between a producer and the one loop that consumes its work: the loop `wait`s when it
 * has nothing to do, producers `ring` after queueing. A ring while nobody waits is not remembered,
 * so the loop must re-check its queue before waiting (it always does: it waits only when empty).
 */
export class Wakeup {
  private _ring: (() => void) | undefined;

  /** Resolves at the next ring, or when the signal aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this._ring = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this._ring = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  ring(): void {
    this._ring?.();
  }
}
