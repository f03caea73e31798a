/**
 * List-then-watch of one resource collection with the API's documented semantics: paginated list,
 * watch from the list's resourceVersion with bookmarks, resume from the last seen version after a
 * dropped connection (no relist, so no gap and no duplicate), relist only on 410 Gone, exponential
 * backoff with jitter on errors. On relist the cache is diffed: only changed objects are reported.
 */
import { backoffDelayMs, DEFAULT_BACKOFF, sleep } from '@fathom/kit';
import type { BackoffPolicy, Logger, Service } from '@fathom/kit';
import type { KubeClient } from './client.js';
import type { KubeObject } from './objects.js';
import { objectKey } from './objects.js';
import { isGone, ResourceVersionCursor } from './resource-version.js';

export interface ListWatchHandler<T extends KubeObject> {
  upsert(obj: T, old: T | undefined): void;
  remove(obj: T): void;
  /** After each complete list (first sync and every relist). */
  synced?(): void;
}

export interface ListWatchOptions<T extends KubeObject> {
  readonly client: KubeClient;
  /** Collection path, e.g. `/api/v1/pods` or `/apis/apps/v1/replicasets`. */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  readonly handler: ListWatchHandler<T>;
  readonly logger: Logger;
  readonly pageSize?: number;
  /** Server-side watch timeout; the watch is reopened from the last version after it. */
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: BackoffPolicy;
}

export interface ListWatchStats {
  lists: number;
  relistsAfterGone: number;
  watches: number;
  events: number;
  bookmarks: number;
  errors: number;
}

export class ListWatch<T extends KubeObject> implements Service {
  readonly name: string;
  readonly stats: ListWatchStats = { lists: 0, relistsAfterGone: 0, watches: 0, events: 0, bookmarks: 0, errors: 0 };
  readonly cursor = new ResourceVersionCursor();
  private readonly _cache = new Map<string, T>();
  private _synced = false;
  private readonly _waiters: (() => void)[] = [];

  constructor(private readonly _o: ListWatchOptions<T>) {
    this.name = `list-watch ${_o.path}${_o.fieldSelector ? `?${_o.fieldSelector}` : ''}`;
  }

  /** Objects as of the last event, by `namespace/name`. */
  get cache(): ReadonlyMap<string, T> {
    return this._cache;
  }

  /** Resolves once the first list has been applied. */
  synced(): Promise<void> {
    return this._synced ? Promise.resolve() : new Promise((r) => this._waiters.push(r));
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.cursor.current === undefined) await this._list(signal);
        await this._watchOnce(signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.cursor.expire();
          this.stats.relistsAfterGone++;
          this._o.logger.info('watch expired (410 Gone); relisting', { path: this._o.path });
          continue;
        }
        this.stats.errors++;
        const delayMs = backoffDelayMs(this._o.backoff ?? { ...DEFAULT_BACKOFF, maxMs: 30_000 }, failures++);
        this._o.logger.warn('list/watch failed; retrying', { path: this._o.path, delayMs, error: (err as Error).message });
        await sleep(delayMs, signal);
      }
    }
  }

  private async _list(signal: AbortSignal): Promise<void> {
    const seen = new Map<string, T>();
    let cont: string | undefined;
    let last: { metadata?: { resourceVersion?: string } } = {};
    do {
      this.stats.lists++;
      const page = await this._o.client.getJson<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(
        this._o.path,
        { limit: this._o.pageSize ?? 500, continue: cont, fieldSelector: this._o.fieldSelector, labelSelector: this._o.labelSelector },
        signal,
      );
      for (const item of page.items ?? []) seen.set(objectKey(item), item);
      cont = page.metadata?.continue || undefined;
      last = page;
    } while (cont !== undefined && !signal.aborted);
    for (const [key, old] of this._cache) {
      if (!seen.has(key)) {
        this._cache.delete(key);
        this._o.handler.remove(old);
      }
    }
    for (const [key, obj] of seen) {
      const old = this._cache.get(key);
      if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion && old !== undefined) continue;
      this._cache.set(key, obj);
      this._o.handler.upsert(obj, old);
    }
    this.cursor.fromList(last);
    this._o.handler.synced?.();
    if (!this._synced) {
      this._synced = true;
      for (const w of this._waiters.splice(0)) w();
    }
  }

  /** One watch connection, until the server closes it (resolve) or it fails (reject). */
  private _watchOnce(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let gone: unknown;
      let stop: (() => void) | undefined;
      let finished = false;
      const onAbort = (): void => stop?.();
      const onEvent = (type: string, obj: unknown): void => {
        if (type === 'ERROR') {
          gone = obj;
          stop?.();
          return;
        }
        this._apply(type, obj as T);
      };
      const done = (err: unknown): void => {
        finished = true;
        signal.removeEventListener('abort', onAbort);
        if (gone !== undefined) reject(isGone(gone) ? Object.assign(new Error('watch: 410 Gone'), { statusCode: 410 }) : new Error(`watch error: ${JSON.stringify(gone)}`));
        else if (err && !signal.aborted && !isAbort(err)) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        else resolve();
      };
      this.stats.watches++;
      this._o.client
        .watch(
          this._o.path,
          {
            resourceVersion: this.cursor.current,
            allowWatchBookmarks: true,
            timeoutSeconds: this._o.watchTimeoutSeconds ?? 300,
            fieldSelector: this._o.fieldSelector,
            labelSelector: this._o.labelSelector,
          },
          onEvent,
          done,
        )
        .then((s) => {
          stop = s;
          if (signal.aborted) s();
          else if (!finished) signal.addEventListener('abort', onAbort, { once: true });
        }, reject);
    });
  }

  private _apply(type: string, obj: T): void {
    this.cursor.fromEvent(obj);
    if (type === 'BOOKMARK') {
      this.stats.bookmarks++;
      return;
    }
    this.stats.events++;
    const key = objectKey(obj);
    if (type === 'DELETED') {
      this._cache.delete(key);
      this._o.handler.remove(obj);
    } else {
      const old = this._cache.get(key);
      this._cache.set(key, obj);
      this._o.handler.upsert(obj, old);
    }
  }
}

function isAbort(err: unknown): boolean {
  // TimeoutError: the client's inactivity timer closed an idle watch; reopen from the cursor.
  const name = (err as { name?: string }).name;
  return typeof err === 'object' && err !== null && (name === 'AbortError' || name === 'TimeoutError' || (err as { type?: string }).type === 'aborted');
}
