/**
 * User dashboards on disk: one JSON file per dashboard in `<dataDir>/dashboards/`, written to a
 * temporary file, fsynced and renamed, so a crash leaves the old or the new version. A file that
 * fails validation is skipped by `list` and reported by `get` as missing, never served.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@fathom/kit';
import { byTitle, parseDashboard, summarize } from '@fathom/dashboards';
import type { Dashboard, DashboardStore, DashboardSummary } from '@fathom/dashboards';

export class FileDashboardStore implements DashboardStore {
  constructor(private readonly _dir: string) {}

  async list(): Promise<DashboardSummary[]> {
    let names: string[];
    try {
      names = await readdir(this._dir);
    } catch {
      return [];
    }
    const out: DashboardSummary[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const d = await this.get(n.slice(0, -5));
      if (d) out.push(summarize(d));
    }
    return out.sort(byTitle);
  }

  async get(id: string): Promise<Dashboard | undefined> {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return undefined;
    try {
      return parseDashboard(JSON.parse(await readFile(join(this._dir, `${id}.json`), 'utf8')) as unknown);
    } catch {
      return undefined;
    }
  }

  async put(d: Dashboard): Promise<void> {
    await writeFileAtomic(join(this._dir, `${d.id}.json`), `${JSON.stringify(d, null, 2)}\n`);
  }

  async delete(id: string): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return false;
    try {
      await rm(join(this._dir, `${id}.json`));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
