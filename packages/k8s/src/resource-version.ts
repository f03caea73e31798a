/**
 * The one place that handles resourceVersion, per the API conventions: the version a list
 * returned is where its watch starts; every event (ADDED/MODIFIED/DELETED/BOOKMARK) moves it
 * forward; a 410 Gone (HTTP or a watch ERROR event, e.g. "too old resource version") forgets it,
 * which makes the next round a relist. Versions are opaque strings: never compared or parsed.
 */
import type { KubeObject } from './objects.js';

export class ResourceVersionCursor {
  private _rv: string | undefined;

  /** The version to watch from, or undefined when the next step must be a list. */
  get current(): string | undefined {
    return this._rv;
  }

  /** After a complete (all pages) list. */
  fromList(list: { readonly metadata?: { readonly resourceVersion?: string } }): void {
    this._rv = nonEmpty(list.metadata?.resourceVersion);
  }

  /** After any watch event that carries an object, bookmarks included. */
  fromEvent(obj: KubeObject | undefined): void {
    const rv = nonEmpty(obj?.metadata?.resourceVersion);
    if (rv !== undefined) this._rv = rv;
  }

  /** After 410 Gone: the next round relists. */
  expire(): void {
    this._rv = undefined;
  }
}

/** True for a 410 Gone: an HTTP error with that status, or a watch ERROR event's Status object. */
export function isGone(errOrStatus: unknown): boolean {
  if (typeof errOrStatus !== 'object' || errOrStatus === null) return false;
  const o = errOrStatus as { statusCode?: unknown; code?: unknown; reason?: unknown; kind?: unknown };
  return o.statusCode === 410 || o.code === 410 || (o.kind === 'Status' && o.reason === 'Expired') || o.reason === 'Gone';
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
