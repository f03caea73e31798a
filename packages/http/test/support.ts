/** Test support: a server app over a fresh journaled store in a temp dir, closed after the test. */
import { NOOP_LOGGER } from '@fathom/kit';
import { QueryEngine } from '@fathom/query';
import { JournaledStorage } from '@fathom/storage';
import { tempDir } from '@fathom/testkit';
import type { Hono } from 'hono';
import { createServerApp } from '../src/index.js';
import type { ServerAppDeps } from '../src/index.js';

export async function openTestApp(
  t: { after: (fn: () => Promise<void>) => void },
  extra: Partial<ServerAppDeps> = {},
): Promise<{ app: Hono; storage: JournaledStorage }> {
  const dir = await tempDir();
  const storage = JournaledStorage.open({ dataDir: dir.path, fsync: 'always', retentionMs: 1e15, maxSeries: 1000, maxSeriesPerMetric: 1000 });
  t.after(async () => {
    await storage.close();
    await dir.cleanup();
  });
  const app = createServerApp({
    storage,
    engine: new QueryEngine(storage),
    logger: NOOP_LOGGER,
    limits: { maxBodyBytes: 64 * 1024, maxDecodedBytes: 256 * 1024, maxSeries: 100 },
    ...extra,
  });
  return { app, storage };
}
