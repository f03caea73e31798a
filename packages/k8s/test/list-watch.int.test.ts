import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOOP_LOGGER } from '@fathom/kit';
import { useKubeCluster, waitFor } from '@fathom/testkit';
import { ListWatch } from '../src/index.js';
import type { Pod } from '../src/index.js';
import { adminClient, createNamespace, createPod } from './support.js';

const { skip, cluster } = useKubeCluster();

/** Runs `lw` while `body` does; stops it whatever `body` does (a failed assertion must not leave the watch running and the file hanging). */
async function running(lw: ListWatch<Pod>, body: () => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const run = lw.run(stop.signal);
  try {
    await body();
  } finally {
    stop.abort();
    await run;
  }
}

function recorder(): { log: string[]; versions: string[]; handler: { upsert: (p: Pod) => void; remove: (p: Pod) => void } } {
  const log: string[] = [];
  const versions: string[] = [];
  const note = (what: string, p: Pod): void => {
    log.push(`${what} ${p.metadata?.name ?? ''}`);
    versions.push(`${p.metadata?.name ?? ''}@${p.metadata?.resourceVersion ?? ''}`);
  };
  return { log, versions, handler: { upsert: (p) => note('upsert', p), remove: (p) => note('remove', p) } };
}

test('bookmarks advance the resourceVersion without reporting objects', { skip }, async () => {
  const c = cluster();
  const k = adminClient(c);
  await createNamespace(k, 'bm');
  const { log, handler } = recorder();
  // The API server sends a bookmark 2 s before a watch's timeout (or every minute). First in the
  // file: after the restart test below, the API server's watch cache was once seen sending none
  // for a minute (its state after a restart is its own).
  const lw = new ListWatch<Pod>({ client: adminClient(c), path: '/api/v1/namespaces/bm/pods', handler, logger: NOOP_LOGGER, watchTimeoutSeconds: 5 });
  await running(lw, async () => {
    await lw.synced();
    await createPod(k, 'bm', 'x');
    await waitFor('a bookmark', () => Promise.resolve(lw.stats.bookmarks > 0 ? true : undefined), 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; list-watch stats ${JSON.stringify(lw.stats)}`);
    });
    assert.deepEqual(log, ['upsert x']);
    assert.equal(lw.stats.relistsAfterGone, 0);
    assert.equal(lw.stats.lists, 1, 'reopened watches resume; they do not relist');
  });
});

test('list/watch resumes across an API server restart: every change once, nothing repeated', { skip }, async () => {
  const c = cluster();
  const k = adminClient(c);
  await createNamespace(k, 'lw');
  for (const n of ['p1', 'p2', 'p3']) await createPod(k, 'lw', n);
  const { log, versions, handler } = recorder();
  const lw = new ListWatch<Pod>({ client: adminClient(c), path: '/api/v1/namespaces/lw/pods', handler, logger: NOOP_LOGGER, backoff: { initialMs: 200, maxMs: 1000, multiplier: 2, jitter: 0 } });
  await running(lw, async () => {
    await lw.synced();
    assert.deepEqual([...log].sort(), ['upsert p1', 'upsert p2', 'upsert p3']);
    await createPod(k, 'lw', 'p4');
    await waitFor('p4 seen', () => Promise.resolve(log.includes('upsert p4') ? true : undefined), 30_000);
    log.length = 0;
    versions.length = 0;

    await c.restartApiServer();
    await k.request('DELETE', '/api/v1/namespaces/lw/pods/p1', { gracePeriodSeconds: 0 });
    await createPod(k, 'lw', 'p5');
    await k.request('PATCH', '/api/v1/namespaces/lw/pods/p2', {}, { metadata: { labels: { app: 'p2', changed: 'yes' } } }, undefined, 'application/merge-patch+json');
    await waitFor('changes after restart', () => Promise.resolve(log.includes('remove p1') && log.includes('upsert p5') && log.includes('upsert p2') ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything extra would arrive now
    // Every change once (deleting p1 may first report it MODIFIED with a deletionTimestamp: a change,
    // with its own resourceVersion); nothing unchanged (p3, p4) is reported again.
    assert.equal(new Set(versions).size, versions.length, `no object version reported twice (${versions.join(', ')})`);
    assert.deepEqual([...new Set(log.map((l) => l.split(' ')[1]))].sort(), ['p1', 'p2', 'p5'], `only the changed pods (log: ${log.join(', ')})`);
    assert.equal(log.filter((l) => l === 'remove p1').length, 1);
    assert.deepEqual([...lw.cache.keys()].sort(), ['lw/p2', 'lw/p3', 'lw/p4', 'lw/p5']);
    assert.ok(lw.stats.watches >= 2, 'the watch was reopened');
  });
});

test('a watch from an expired resourceVersion gets 410 Gone and relists', { skip }, async () => {
  const c = cluster();
  const k = adminClient(c);
  await createNamespace(k, 'gone');
  await createPod(k, 'gone', 'a');
  const { log, handler } = recorder();
  const lw = new ListWatch<Pod>({ client: adminClient(c), path: '/api/v1/namespaces/gone/pods', handler, logger: NOOP_LOGGER });
  lw.cursor.fromList({ metadata: { resourceVersion: '1' } }); // as if resumed from a long-gone version
  await running(lw, async () => {
    await lw.synced();
    assert.equal(lw.stats.relistsAfterGone, 1);
    assert.deepEqual(log, ['upsert a']);
  });
});
