/**
 * Staleness, as Prometheus does it for a scrape: a series present in the previous cycle and absent
 * from this one gets one stale marker, so queries stop showing it at once instead of for the
 * 5-minute lookback (a deleted pod's containers vanish from charts when they stop).
 */
import { labelsKey, STALE_NAN } from '@fathom/model';
import type { Labels, Point } from '@fathom/model';

export class StalenessTracker {
  private _previous = new Map<string, Labels>();

  /** The stale markers to add to this cycle's points. */
  markers(points: readonly Point[]): Point[] {
    const current = new Map<string, Labels>();
    for (const p of points) current.set(labelsKey(p.labels), p.labels);
    const out: Point[] = [];
    for (const [key, labels] of this._previous) if (!current.has(key)) out.push({ labels, value: STALE_NAN });
    this._previous = current;
    return out;
  }
}
