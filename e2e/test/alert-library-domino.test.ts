/**
 * The seeds' domino-effect incident on the demo cluster, evaluated with the Kubernetes alert
 * library as shipped: the API latency alert fires first (ServiceLatencyDegraded, while the leaking
 * back end slows down), then the node alerts (not ready), then memory and disk pressure; nothing
 * fires before the incident, and every alert that fired during it resolves after the operators'
 * repair. (After the repair the simulator reschedules the Pending pods onto the recovered nodes,
 * whose image pulls fill their disks again: the filesystem alerts that fire then are real.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLibrary } from '@fathom/alerts';
import { ClusterSimulator, DOMINO_DURATION_MS, sampleWithExtras } from '@fathom/demo';
import { QueryEngine } from '@fathom/query';
import { JournaledStorage } from '@fathom/storage';
import { alertTimeline } from '../src/index.js';
import type { AlertSpan } from '../src/index.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-25T08:00:00Z');
const INCIDENT = T0 + 40 * MIN;
const END = INCIDENT + DOMINO_DURATION_MS + 30 * MIN;
const STEP_MS = MIN;

async function simulate(): Promise<QueryEngine> {
  const sim = new ClusterSimulator({ nodes: 12, seed: 7, startMs: T0, incidents: [{ kind: 'domino', atMs: INCIDENT }] });
  const storage = JournaledStorage.open({ dataDir: mkdtempSync(join(tmpdir(), 'fathom-domino-')), fsync: 'never', retentionMs: 1e15, maxSeries: 1e7, maxSeriesPerMetric: 1e6 });
  for (let tMs = T0; tMs <= END; tMs += STEP_MS) {
    const app = storage.appender();
    for (const points of sampleWithExtras(sim, tMs).values()) for (const p of points) app.append(p.labels, tMs, p.value);
    const r = await app.commit();
    assert.equal(r.rejected, 0, r.errors.map((e) => e.message).join('; '));
  }
  return new QueryEngine(storage);
}

const first = (spans: readonly AlertSpan[], name: string): number => {
  const s = spans.find((x) => x.alertname === name);
  assert.ok(s, `${name} never fired; fired: ${[...new Set(spans.map((x) => x.alertname))].join(', ')}`);
  return s.firedAtMs;
};
const at = (tMs: number): string => `+${(tMs - INCIDENT) / MIN}m`;

test('domino effect: latency, then nodes not ready, then memory and disk; all resolved after the repair', async () => {
  const engine = await simulate();
  const rules = readLibrary().flatMap((f) => f.groups.flatMap((g) => g.rules));
  const spans = await alertTimeline(engine, rules, T0 + 20 * MIN, END, STEP_MS);
  const story = spans.map((s) => `${at(s.firedAtMs)}..${s.resolvedAtMs === undefined ? 'end' : at(s.resolvedAtMs)} ${s.labels}`).join('\n');
  assert.deepEqual(spans.filter((s) => s.firedAtMs < INCIDENT).map((s) => s.labels), [], `quiet before the incident:\n${story}`);
  const latency = first(spans, 'ServiceLatencyDegraded');
  const notReady = first(spans, 'KubeNodeNotReady');
  const memory = first(spans, 'KubeNodeMemoryPressure');
  const disk = first(spans, 'KubeNodeDiskPressure');
  assert.ok(latency < notReady, `latency (${at(latency)}) before node not ready (${at(notReady)})\n${story}`);
  assert.ok(notReady < memory && notReady < disk, `node not ready (${at(notReady)}) before memory (${at(memory)}) and disk (${at(disk)})\n${story}`);
  const repairMs = INCIDENT + DOMINO_DURATION_MS;
  const open = spans.filter((s) => s.firedAtMs <= repairMs && (s.resolvedAtMs === undefined || s.resolvedAtMs > repairMs + 10 * MIN));
  assert.deepEqual(open.map((s) => s.labels), [], `resolved within 10 minutes of the repair:\n${story}`);
});
