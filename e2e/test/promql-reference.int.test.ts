/**
 * Differential check against the real thing: the same Kubernetes-shaped data is remote-written to
 * Fathom and to Debian's Prometheus; every query of Fathom's reference set and the ten dashboard
 * queries must give the same answer from both, instant and range. `promtool query instant|range`
 * is used as a real client of Fathom's API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { executablePeer, prometheusPeer, skipUnless, startPrometheus, tempDir } from '@fathom/testkit';
import { DASHBOARD_QUERIES, REFERENCE_QUERIES, compareQuery, pushData, startServer } from '../src/index.js';
import type { Diff } from '../src/index.js';

const run = promisify(execFile);
const peer = [prometheusPeer(), executablePeer('promtool', 'prometheus')].find((p) => !p.ok) ?? { ok: true };

test('Fathom answers like Debian prometheus over the same remote-written data', { skip: skipUnless(peer), timeout: 300_000 }, async (t) => {
  const dir = await tempDir();
  const fathom = await startServer(dir.path);
  t.after(async () => {
    await fathom.stop();
    await dir.cleanup();
  });
  const prom = await startPrometheus({ config: 'global: { evaluation_interval: 1m }\n', args: ['--web.enable-remote-write-receiver'] });
  t.after(() => prom.stop());

  // 40 minutes of 15 s scrapes ending at a whole minute 5 minutes ago (both stores accept it).
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 300_000;
  await pushData([fathom.url, prom.url], { nodes: 2, podsPerNode: 3, intervalMs: 15_000, historyMs: 40 * 60_000, endMs });

  const atS = endMs / 1000 - 7.5;
  const diffs: Diff[] = [];
  for (const q of [...REFERENCE_QUERIES, ...DASHBOARD_QUERIES]) {
    diffs.push(await compareQuery(fathom.url, prom.url, q, { kind: 'instant', atS }));
    diffs.push(await compareQuery(fathom.url, prom.url, q, { kind: 'range', startS: atS - 1200, endS: atS, stepS: 60 }));
  }
  const failed = diffs.filter((d) => !d.ok);
  t.diagnostic(`reference agreement: ${diffs.length - failed.length}/${diffs.length}`);
  assert.deepEqual(failed.map((d) => `${d.query}: ${d.detail ?? ''}`), []);

  // promtool as a client of Fathom's API.
  const inst = await run('promtool', ['query', 'instant', '--time', String(atS), fathom.url, 'sum by (namespace) (kube_pod_info)']);
  assert.match(inst.stdout, /\{namespace="prod"\} => 2 @\[/);
  const range = await run('promtool', ['query', 'range', '--start', String(atS - 120), '--end', String(atS), '--step', '60s', fathom.url, 'count(kube_pod_info)']);
  assert.match(range.stdout, /\{\} =>\n6 @\[[\d.]+\]\n6 @\[[\d.]+\]\n6 @\[[\d.]+\]/);
  const bad = await run('promtool', ['query', 'instant', fathom.url, 'sum(']).then(() => 0, (err: unknown) => (err as { code: number }).code);
  assert.notEqual(bad, 0, 'promtool reports a bad query as a failure');
});
