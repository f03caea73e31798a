/** Where user dashboards are kept. Implementations: `MemoryDashboardStore` here, a file store in the server. */
import type { Dashboard } from './model.js';

export interface DashboardSummary {
  readonly id: string;
  readonly title: string;
  readonly panels: number;
}

/**
 * Contract: `put` replaces the dashboard with the same id atomically (a crash leaves the old or
 * the new version, never a mix); `list` is sorted by title; `get` of an unknown id is undefined;
 * `delete` says whether something was deleted.
 */
export interface DashboardStore {
  list(): Promise<DashboardSummary[]>;
  get(id: string): Promise<Dashboard | undefined>;
  put(d: Dashboard): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export function summarize(d: Dashboard): DashboardSummary {
  return { id: d.id, title: d.title, panels: d.panels.length };
}

export function byTitle(a: DashboardSummary, b: DashboardSummary): number {
  return a.title.localeCompare(b.title) || a.id.localeCompare(b.id);
}

export class MemoryDashboardStore implements DashboardStore {
  private readonly _items = new Map<string, Dashboard>();

  list(): Promise<DashboardSummary[]> {
    return Promise.resolve([...this._items.values()].map(summarize).sort(byTitle));
  }

  get(id: string): Promise<Dashboard | undefined> {
    return Promise.resolve(this._items.get(id));
  }

  put(d: Dashboard): Promise<void> {
    this._items.set(d.id, d);
    return Promise.resolve();
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this._items.delete(id));
  }
}
