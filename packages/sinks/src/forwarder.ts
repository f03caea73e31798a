/**
 * Delivers batches to a sink in order, without ever blocking the collector and without losing data
 * to an outage. New batches wait in a small memory queue; when the sink is unreachable, or the
 * queue overflows, they move to the disk spool, which is drained first. Because the spool only ever
 * receives batches older than anything left in memory, delivery order is the order of `submit`.
 * On shutdown the memory queue is written to the spool, so a restart continues where it stopped.
 */
import { backoffDelayMs, BoundedQueue, sleep, Wakeup } from '@fathom/kit';
import type { BackoffPolicy, Logger, Service } from '@fathom/kit';
import type { DiskSpool, SpoolStats } from './disk-spool.js';
import type { SendResult, Sink } from './sink.js';

export interface ForwarderOptions {
  readonly sink: Sink;
  readonly spool: DiskSpool;
  readonly logger: Logger;
  readonly memoryBatches: number;
  readonly sendTimeoutMs: number;
  readonly backoff: BackoffPolicy;
}

export interface ForwarderStats {
  readonly sentBatches: number;
  readonly sendFailures: number;
  readonly refusedBatches: number;
  readonly memoryBatches: number;
  readonly spool: SpoolStats;
}

export class Forwarder implements Service {
  readonly name = 'forwarder';
  private readonly _queue: BoundedQueue<Uint8Array>;
  private readonly _wakeup = new Wakeup();
  private _sent = 0;
  private _failures = 0;
  private _refused = 0;
  private _attempt = 0;
  private _down = false;

  constructor(private readonly _opts: ForwarderOptions) {
    this._queue = new BoundedQueue(_opts.memoryBatches);
  }

  /**
   * Hands a batch over; never blocks. While the server is down, or older batches are still on
   * disk, it goes straight to the spool: an agent that dies mid-outage then loses nothing, and
   * order holds because the spool drains before the memory queue.
   */
  submit(payload: Uint8Array): void {
    if (this._down || !this._opts.spool.isEmpty) {
      this._spillMemory(); // anything in memory is older and must stay ahead
      this._opts.spool.push(payload);
      this._wakeup.ring();
      return;
    }
    const evicted = this._queue.push(payload);
    if (evicted) this._opts.spool.push(evicted);
    this._wakeup.ring();
  }

  stats(): ForwarderStats {
    return { sentBatches: this._sent, sendFailures: this._failures, refusedBatches: this._refused, memoryBatches: this._queue.length, spool: this._opts.spool.stats() };
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const delivered = await this._deliverOne(signal);
      if (delivered === 'idle') await this._idle(signal);
      else if (delivered === 'retry') await sleep(this._retryDelay(), signal);
    }
    this._spillMemory();
  }

  private async _deliverOne(signal: AbortSignal): Promise<'idle' | 'sent' | 'retry'> {
    const spooled = this._opts.spool.peek();
    const payload = spooled?.payload ?? this._queue.peek();
    if (!payload) return 'idle';
    const result = await this._opts.sink.send(payload, { timeoutMs: this._opts.sendTimeoutMs, signal });
    if (signal.aborted && result.status !== 'success') return 'retry';
    if (result.status === 'retryable') {
      this._onRetryable(result);
      return 'retry';
    }
    if (result.status === 'failure') {
      this._refused++;
      this._opts.logger.error('server refused a batch; it is dropped', { error: result.error });
    } else {
      this._sent++;
      this._onUp();
    }
    if (spooled) this._opts.spool.remove(spooled.seq);
    else this._queue.shift();
    return 'sent';
  }

  private _onRetryable(result: Extract<SendResult, { status: 'retryable' }>): void {
    this._failures++;
    this._spillMemory();
    this._retryAfterMs = result.retryAfterMs;
    if (!this._down) this._opts.logger.warn('server unreachable; buffering batches on disk', { error: result.error });
    this._down = true;
  }

  private _retryAfterMs: number | undefined;

  private _retryDelay(): number {
    const delay = this._retryAfterMs ?? backoffDelayMs(this._opts.backoff, this._attempt++);
    this._retryAfterMs = undefined;
    return delay;
  }

  private _onUp(): void {
    if (this._down) this._opts.logger.info('server reachable again; replaying buffered batches', { spooled: this._opts.spool.stats().batches });
    this._down = false;
    this._attempt = 0;
  }

  /** Moves every in-memory batch to the spool tail, keeping order. */
  private _spillMemory(): void {
    for (let p = this._queue.shift(); p; p = this._queue.shift()) this._opts.spool.push(p);
  }

  private _idle(signal: AbortSignal): Promise<void> {
    // A batch submitted while the last delivery attempt was settling must not wait for the next one.
    if (this._queue.length > 0 || !this._opts.spool.isEmpty) return Promise.resolve();
    return this._wakeup.wait(signal);
  }
}
