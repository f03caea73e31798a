/** The simulated cluster: shape, names, determinism, counters, and the scripted incidents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSimulator, defaultIncidents, epochAt, KUBE_STATE_AGENT, METRIC_META, parseIncident } from '../src/index.js';
import type { SimPoint } from '../src/index.js';

const NOW_MS = Date.parse('2026-11-25T15:00:00Z');
const HISTORY_MS = 3 * 3_600_000;
const START_MS = NOW_MS - HISTORY_MS;
const sim = (seed = 7, nodes = 12): ClusterSimulator => new ClusterSimulator({ nodes, seed, startMs: START_MS, incidents: defaultIncidents(NOW_MS, HISTORY_MS) });
const all = (m: Map<string, SimPoint[]>): SimPoint[] => [...m.values()].flat();
const named = (m: Map<string, SimPoint[]>, name: string): SimPoint[] => all(m).filter((p) => p.labels.__name__ === name);

test('the cluster is shaped like the seeds: a dozen nodes, 15–20 containers each, prod/test/project namespaces, canary tracks', () => {
  const s = sim();
  assert.equal(s.topology.nodes.length, 12);
  const epoch = s.timeline.epochs[0]!;
  const perNode = new Map<string, number>();
  for (const p of epoch.pods.values()) perNode.set(p.node!, (perNode.get(p.node!) ?? 0) + p.workload.containers.length);
  const counts = [...perNode.values()];
  const avg = counts.reduce((a, b) => a + b, 0) / counts.length;
  assert.ok(avg >= 14 && avg <= 20, `average containers per node ${avg}`);
  const namespaces = new Set(s.topology.workloads.map((w) => w.namespace));
  for (const ns of ['prod', 'test', 'kube-system']) assert.ok(namespaces.has(ns), ns);
  assert.ok([...namespaces].some((n) => n.startsWith('project-')));
  const tracks = new Set(s.topology.workloads.filter((w) => w.app === 'api' && w.namespace === 'prod').map((w) => w.track));
  assert.deepEqual([...tracks].sort(), ['free', 'internal', 'paid', 'production']);
  const images = s.topology.workloads.flatMap((w) => w.containers.map((c) => c.image)).join(' ');
  for (const lang of ['api-node', '-jvm', '-py', 'haproxy']) assert.ok(images.includes(lang), lang);
});

test('samples use the real agents\' metric names and the Kubernetes labels, and every name has metadata', () => {
  const m = sim().sample(START_MS + 600_000);
  const names = new Set(all(m).map((p) => p.labels.__name__!));
  for (const n of ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'node_cpu_seconds_total', 'node_filesystem_avail_bytes', 'kube_pod_container_resource_limits', 'kube_pod_container_status_restarts_total', 'http_request_duration_seconds_bucket']) {
    assert.ok(names.has(n), n);
  }
  for (const n of names) assert.ok(METRIC_META[n], `metadata for ${n}`);
  const cpu = named(m, 'container_cpu_usage_seconds_total')[0]!;
  for (const l of ['cluster', 'node', 'namespace', 'pod', 'container', 'workload_kind', 'workload']) assert.ok(cpu.labels[l], l);
  assert.ok(m.has(KUBE_STATE_AGENT));
  for (const [agent, points] of m) {
    if (agent === KUBE_STATE_AGENT) continue;
    for (const p of points) assert.equal(p.labels.host, agent, `${p.labels.__name__} reported by ${agent}`);
  }
});

test('the same seed replays the same data; another seed gives other pod names', () => {
  const times = [START_MS + 60_000, START_MS + 3_600_000, NOW_MS - 60_000];
  const a = sim(7);
  const b = sim(7);
  for (const t of times) assert.deepEqual(a.sample(t), b.sample(t));
  assert.deepEqual(a.eventsBetween(START_MS, NOW_MS), b.eventsBetween(START_MS, NOW_MS));
  const podsA = [...a.timeline.epochs[0]!.pods.values()].map((p) => p.name).sort();
  const podsC = [...sim(8).timeline.epochs[0]!.pods.values()].map((p) => p.name).sort();
  assert.notDeepEqual(podsA, podsC);
});

test('counters never decrease within a series', () => {
  const s = sim();
  const last = new Map<string, number>();
  for (let t = START_MS; t < START_MS + 2 * 3_600_000; t += 300_000) {
    for (const p of all(s.sample(t))) {
      const name = p.labels.__name__!;
      if (!name.endsWith('_total') && !name.endsWith('_bucket') && !name.endsWith('_sum') && !name.endsWith('_count')) continue;
      const key = JSON.stringify(p.labels);
      const prev = last.get(key);
      if (prev !== undefined) assert.ok(p.value >= prev, `${key} went from ${prev} to ${p.value}`);
      last.set(key, p.value);
    }
  }
});

test('domino effect: a node runs out of memory, pods are evicted and rescheduled, disks fill, pods go Pending, then it recovers', () => {
  const s = sim();
  const domino = defaultIncidents(NOW_MS, HISTORY_MS)[0]!;
  const leak = s.timeline.leaks[0]!;
  const memAvail = (t: number, node: string): number | undefined => named(s.sample(t), 'node_memory_MemAvailable_bytes').find((p) => p.labels.node === node)?.value;
  const before = memAvail(leak.fromMs + 60_000, leak.node)!;
  const end = memAvail(leak.untilMs - 10_000, leak.node)!;
  assert.ok(end < before / 10, `memory available fell from ${before} to ${end}`);
  assert.equal(memAvail(leak.untilMs + 60_000, leak.node), undefined, 'the dead node reports nothing');
  const reasons = new Set(s.timeline.events.map((e) => e.reason));
  for (const r of ['SystemOOM', 'NodeNotReady', 'TaintManagerEviction', 'Scheduled', 'EvictionThresholdMet', 'FailedScheduling', 'NodeReady']) assert.ok(reasons.has(r), r);
  const worst = Math.max(...s.timeline.epochs.map((e) => [...e.pods.values()].filter((p) => p.node === undefined).length));
  assert.ok(worst > 5, `pending pods at the worst: ${worst}`);
  const downAtWorst = Math.max(...s.timeline.epochs.map((e) => [...e.nodes.values()].filter((c) => !c.ready).length));
  assert.ok(downAtWorst >= 3);
  const after = epochAt(s.timeline, domino.atMs + 70 * 60_000);
  assert.equal([...after.pods.values()].filter((p) => p.node === undefined).length, 0);
  assert.ok([...after.nodes.values()].every((c) => c.ready && !c.diskPressure));
  const disk = (t: number): number => Math.min(...named(s.sample(t), 'node_filesystem_avail_bytes').map((p) => p.value));
  assert.ok(disk(domino.atMs + 35 * 60_000) < disk(domino.atMs - 60_000) * 0.6, 'disks fill');
});

test('canary: the free track\'s latency and errors rise while the new build runs, then the rollback restores them', () => {
  const s = sim();
  const canary = defaultIncidents(NOW_MS, HISTORY_MS)[1]!;
  const meanLatency = (t0: number): number => {
    const at = (t: number): [number, number] => {
      const m = s.sample(t);
      const pick = (n: string): number => named(m, n).filter((p) => p.labels.workload === 'api-free').reduce((a, p) => a + p.value, 0);
      return [pick('http_request_duration_seconds_sum'), pick('http_request_duration_seconds_count')];
    };
    const [s0, c0] = at(t0);
    const [s1, c1] = at(t0 + 120_000);
    return (s1 - s0) / (c1 - c0);
  };
  const before = meanLatency(canary.atMs - 10 * 60_000);
  const during = meanLatency(canary.atMs + 10 * 60_000);
  const after = meanLatency(canary.atMs + 35 * 60_000);
  assert.ok(during > before * 4, `latency ${before} → ${during}`);
  assert.ok(after < during / 3, `rollback ${during} → ${after}`);
  assert.ok(s.timeline.events.some((e) => e.reason === 'ScalingReplicaSet' && e.labels.workload === 'api-free'));
});

test('events follow the event API contract', () => {
  const events = sim().eventsBetween(START_MS, NOW_MS);
  assert.ok(events.length > 50);
  for (const e of events) {
    assert.ok(e.type === 'Normal' || e.type === 'Warning');
    assert.equal(e.source, 'kubernetes');
    assert.ok(e.reason && e.message && e.object.kind && e.object.name && e.labels.cluster);
  }
  assert.ok(events.some((e) => e.reason === 'BackOff'), 'the flaky e2e job restarts');
});

test('scales by a flag: 1,000 nodes', () => {
  const s = sim(1, 1000);
  assert.equal(s.topology.nodes.length, 1000);
  assert.ok(s.timeline.epochs[0]!.pods.size > 10_000);
});

test('incident specs: relative, absolute, and clear errors', () => {
  assert.deepEqual(parseIncident('domino@+5m', NOW_MS), { kind: 'domino', atMs: NOW_MS + 300_000 });
  assert.equal(parseIncident('canary@-1h', NOW_MS).atMs, NOW_MS - 3_600_000);
  assert.equal(parseIncident('domino@2026-11-25T14:00:00Z', NOW_MS).atMs, Date.parse('2026-11-25T14:00:00Z'));
  assert.throws(() => parseIncident('meteor@+5m', NOW_MS), /expected domino@<when> or canary@<when>/);
  assert.throws(() => parseIncident('domino@+soon', NOW_MS), /"\+soon" is not a duration/);
  assert.throws(() => parseIncident('domino@yesterday', NOW_MS), /neither a relative duration nor an ISO time/);
  assert.throws(() => new ClusterSimulator({ nodes: 3, seed: 1, startMs: NOW_MS, incidents: [{ kind: 'domino', atMs: NOW_MS - 1 }] }), /before the simulation starts/);
});

test('a series keeps one frozen label object across samples, until prune forgets pods gone for an hour', () => {
  const s = sim();
  const cpuOf = (t: number): Map<string, SimPoint> => new Map(named(s.sample(t), 'container_cpu_usage_seconds_total').map((p) => [JSON.stringify(p.labels), p]));
  const a = cpuOf(START_MS + 60_000);
  const b = cpuOf(START_MS + 90_000);
  let same = 0;
  for (const [k, p] of a) {
    assert.ok(Object.isFrozen(p.labels));
    if (b.get(k)?.labels === p.labels) same++;
  }
  assert.ok(same > 0.9 * a.size, `${same} of ${a.size} series kept their label object`);
  s.prune(START_MS + 90_000 + 3 * 3_600_000);
  const c = cpuOf(START_MS + 120_000);
  const [k0, p0] = [...a][0]!;
  assert.notEqual(c.get(k0)?.labels, p0.labels);
  assert.deepEqual(c.get(k0)?.labels, p0.labels);
});
