/**
 * One channel's delivery loop: a bounded queue of notifications (the oldest dropped and counted
 * when full), coalesced by group (a newer notification for a queued group replaces it in place:
 * it carries the group's current state), each tried with a timeout and retried with exponential
 * backoff and jitter (`Retry-After` wins). One worker per channel, so a channel that is down or
 * slow delays only itself.
 */
import { BoundedQueue, DEFAULT_BACKOFF, Wakeup, backoffDelayMs, sleep } from '@fathom/kit';
import type { BackoffPolicy, Logger, Service } from '@fathom/kit';
import type { ChannelStats, DeliveryResult, NotificationChannel } from './channel.js';
import type { Notification } from './notification.js';

export interface ChannelWorkerOptions {
  readonly capacity: number;
  /** Per attempt. */
  readonly timeoutMs: number;
  readonly backoff?: BackoffPolicy;
  /** Attempts per notification before it is given up (counted as failed; the next group flush sends the group again). */
  readonly maxAttempts?: number;
  /** Longest wait a `Retry-After` may impose. */
  readonly maxRetryAfterMs?: number;
  /** Asked right before the first attempt: false when the notification is no longer due (already delivered). */
  readonly stillDue: (n: Notification) => boolean;
  /** Called after a successful delivery (the notification log is written here). */
  readonly onDelivered: (n: Notification) => void;
  readonly logger: Logger;
}

export class ChannelWorker implements Service {
  readonly name: string;
  private readonly _queue: BoundedQueue<string>;
  private readonly _pending = new Map<string, Notification>();
  private readonly _stats: ChannelStats;
  private readonly _wakeup = new Wakeup();

  constructor(
    readonly channel: NotificationChannel,
    private readonly _opts: ChannelWorkerOptions,
  ) {
    this.name = `notify:${channel.name}`;
    this._queue = new BoundedQueue<string>(_opts.capacity);
    this._stats = { sent: 0, failed: 0, retried: 0, dropped: 0, coalesced: 0, queueLength: 0, queueCapacity: _opts.capacity, inFlight: 0, lastError: '' };
  }

  /** Queues a notification; never blocks. */
  enqueue(n: Notification): void {
    if (this._pending.has(n.groupKey)) {
      this._pending.set(n.groupKey, n);
      this._stats.coalesced++;
      return;
    }
    this._pending.set(n.groupKey, n);
    const evicted = this._queue.push(n.groupKey);
    if (evicted !== undefined) {
      this._pending.delete(evicted);
      this._stats.dropped++;
      this._opts.logger.warn('notification queue full, oldest dropped', { channel: this.channel.name, groupKey: evicted });
    }
    this._wakeup.ring();
  }

  stats(): ChannelStats {
    return { ...this._stats, queueLength: this._queue.length };
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        const key = this._queue.shift();
        if (key === undefined) {
          await this._wakeup.wait(signal);
          continue;
        }
        const n = this._pending.get(key);
        this._pending.delete(key);
        if (!n || !this._opts.stillDue(n)) continue;
        this._stats.inFlight = 1;
        try {
          await this._deliver(n, signal);
        } finally {
          this._stats.inFlight = 0;
        }
      }
    } finally {
      await this.channel.close?.();
    }
  }

  private async _deliver(n: Notification, signal: AbortSignal): Promise<void> {
    const maxAttempts = this._opts.maxAttempts ?? 12;
    for (let attempt = 0; attempt < maxAttempts && !signal.aborted; attempt++) {
      if (attempt > 0 && this._pending.has(n.groupKey)) return; // superseded: the queued one carries the current state
      const result = await this._attempt(n, signal);
      if (result.status === 'success') {
        this._stats.sent++;
        this._opts.onDelivered(n);
        return;
      }
      this._stats.lastError = result.reason;
      if (result.status === 'failure' || signal.aborted) break;
      if (attempt + 1 >= maxAttempts) break;
      this._stats.retried++;
      await sleep(this._retryDelayMs(result, attempt), signal);
    }
    if (!signal.aborted) {
      this._stats.failed++;
      this._opts.logger.warn('notification not delivered', { channel: this.channel.name, groupKey: n.groupKey, error: this._stats.lastError });
    }
  }

  private async _attempt(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(this._opts.timeoutMs)]);
    try {
      return await this.channel.deliver(n, attemptSignal);
    } catch (err) {
      return { status: 'retryable', reason: `${this.channel.kind}: ${(err as Error).message}` };
    }
  }

  private _retryDelayMs(r: DeliveryResult, attempt: number): number {
    const backoffMs = backoffDelayMs(this._opts.backoff ?? DEFAULT_BACKOFF, attempt);
    if (r.status === 'retryable' && r.retryAfterMs !== undefined) return Math.min(r.retryAfterMs, this._opts.maxRetryAfterMs ?? 300_000);
    return backoffMs;
  }
}
