/**
 * The rule manager over real parts (in-memory storage, the file event store, rule files and the
 * state file on disk): state across a restart, a bad file refused while the loaded rules keep
 * running, deletion resolving alerts, and Fathom's threshold, event and no-data kinds end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf, matcher } from '@fathom/model';
import { FileEventStore } from '@fathom/events';
import type { FathomEvent } from '@fathom/events';
import { QueryEngine } from '@fathom/query';
import { tempDir } from '@fathom/testkit';
import { CountingAlertSink, MemoryStorage, RuleFileError, RuleManager } from '../src/index.js';

const MIN = 60_000;
const T0 = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;

const DOWN_RULES = `groups:
  - name: g
    interval: 1m
    rules:
      - alert: Down
        expr: up == 0
        for: 3m
        annotations: { summary: "{{ $labels.instance }} is down" }
`;

async function setup(series: { labels: Record<string, string>; values: (number | undefined)[] }[]) {
  const dir = await tempDir('fathom-rules-');
  const storage = new MemoryStorage();
  const app = storage.appender();
  for (const s of series) s.values.forEach((v, i) => v !== undefined && app.append(labelsOf(s.labels), T0 + i * MIN, v));
  await app.commit();
  const events = FileEventStore.open({ dir: join(dir.path, 'events'), retentionMs: 86_400_000, fsync: 'never' }).store;
  const manager = (sink = new CountingAlertSink()) => ({
    sink,
    m: new RuleManager({ engine: new QueryEngine(storage), storage, events, sink, logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'alert-state'), defaultIntervalMs: MIN, externalUrl: 'http://ui.example' }),
  });
  return { dir, storage, events, manager };
}

const alertEvents = async (events: FileEventStore): Promise<FathomEvent[]> => events.query({ startMs: 0, endMs: Date.now() + MIN, matchers: [[matcher('source', '=', 'alert')]], limit: 100 });

test('pending progress and a firing alert survive a restart: no new alert, no lost for', async () => {
  const env = await setup([{ labels: { __name__: 'up', instance: 'a' }, values: Array(10).fill(0) }]);
  try {
    await mkdir(join(env.dir.path, 'rules'), { recursive: true });
    await writeFile(join(env.dir.path, 'rules', 'down.yaml'), DOWN_RULES);
    const first = env.manager();
    await first.m.load();
    await first.m.evaluateAll(T0);
    await first.m.evaluateAll(T0 + MIN);
    assert.equal(first.m.groups()[0]?.rules[0]?.active.values().next().value?.state, 'pending');

    // Restart 1: the pending alert keeps its activeAt, so it fires at T0 + 3m (not T0 + 6m).
    const second = env.manager();
    await second.m.load();
    await second.m.evaluateAll(T0 + 3 * MIN);
    const fired = second.sink.last[0];
    assert.equal(fired?.labels['alertname'], 'Down');
    assert.equal(fired?.startsAtMs, T0 + 3 * MIN);
    assert.ok((fired?.endsAtMs ?? 0) > T0 + 3 * MIN, 'a firing alert is sent with endsAt ahead');
    assert.equal(fired?.generatorUrl, `http://ui.example/?from=${T0 - 30 * MIN}&to=${T0 + 33 * MIN}`);

    // Restart 2: the firing alert is the same alert (same startsAt), not a new one.
    const third = env.manager();
    await third.m.load();
    await third.m.evaluateAll(T0 + 4 * MIN);
    assert.equal(third.sink.last[0]?.startsAtMs, T0 + 3 * MIN);
    const evs = await alertEvents(env.events);
    assert.deepEqual(evs.map((e) => e.reason), ['AlertFiring'], 'one firing event across the restarts');
    assert.equal(evs[0]?.message, 'a is down');
    assert.equal(evs[0]?.labels['instance'], 'a');
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('a damaged state file is reported and ignored, not trusted', async () => {
  const env = await setup([{ labels: { __name__: 'up', instance: 'a' }, values: Array(10).fill(0) }]);
  try {
    await mkdir(join(env.dir.path, 'rules'), { recursive: true });
    await writeFile(join(env.dir.path, 'rules', 'down.yaml'), DOWN_RULES);
    const first = env.manager();
    await first.m.load();
    await first.m.evaluateAll(T0);
    const path = join(env.dir.path, 'alert-state');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"pending"', '"firing"'));
    const second = env.manager();
    await second.m.load();
    assert.equal(second.m.groups()[0]?.rules[0]?.active.size, 0);
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('a bad file is refused with line and column and the loaded rules keep running', async () => {
  const env = await setup([{ labels: { __name__: 'up', instance: 'a' }, values: Array(10).fill(0) }]);
  try {
    const { m } = env.manager();
    await m.load();
    await m.putFile('down.yaml', DOWN_RULES);
    await m.evaluateAll(T0);
    await assert.rejects(m.putFile('down.yaml', DOWN_RULES.replace('up == 0', 'up == ')), (err: unknown) => err instanceof RuleFileError && err.line === 6 && err.column > 10);
    assert.equal(m.files()[0]?.source, DOWN_RULES, 'the old file is still the loaded one');
    assert.equal(await readFile(join(env.dir.path, 'rules', 'down.yaml'), 'utf8'), DOWN_RULES, 'and still the one on disk');
    await m.evaluateAll(T0 + MIN);
    assert.equal(m.groups()[0]?.rules[0]?.health, 'ok');
    assert.equal(m.groups()[0]?.rules[0]?.active.size, 1, 'state carried on');
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('deleting a file stops its groups, sends its firing alerts as resolved and marks ALERTS stale', async () => {
  const env = await setup([{ labels: { __name__: 'up', instance: 'a' }, values: Array(10).fill(0) }]);
  try {
    const { m, sink } = env.manager();
    await m.load();
    await m.putFile('down.yaml', DOWN_RULES.replace('for: 3m', 'for: 0s').replace('up == 0', 'label_replace(vector(0), "instance", "a", "", "")'));
    const now = Date.now();
    await m.evaluateAll(now - 1000);
    const engine = new QueryEngine(env.storage);
    const alertsAt = async (t: number): Promise<number> => {
      const r = await engine.instantQuery('ALERTS', t);
      return r.resultType === 'vector' ? r.samples.length : -1;
    };
    assert.equal(await alertsAt(now), 1);
    assert.equal(sink.last[0]?.labels['alertname'], 'Down');
    assert.equal(await m.deleteFile('down.yaml'), 'deleted');
    assert.ok((sink.last[0]?.endsAtMs ?? Infinity) <= Date.now(), 'sent resolved');
    assert.equal(m.groups().length, 0);
    assert.equal(await alertsAt(Date.now() + 1), 0, 'ALERTS ends with a staleness marker');
    assert.equal(await m.deleteFile('down.yaml'), 'not_found');
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('Fathom kinds end to end: threshold per workload, event count, no data per host', async () => {
  const env = await setup([
    { labels: { __name__: 'cpu', namespace: 'prod', workload: 'api', pod: 'api-1' }, values: Array(10).fill(3) },
    { labels: { __name__: 'cpu', namespace: 'prod', workload: 'api', pod: 'api-2' }, values: Array(10).fill(2) },
    { labels: { __name__: 'cpu', namespace: 'prod', workload: 'web', pod: 'web-1' }, values: Array(10).fill(1) },
    { labels: { __name__: 'node_load1', host: 'h1' }, values: Array(10).fill(1) },
    { labels: { __name__: 'node_load1', host: 'h2' }, values: [1, 1, 1, 1] },
  ]);
  try {
    const at = T0 + 9 * MIN;
    const pod = (i: number): FathomEvent => ({ atMs: at - i * MIN, type: 'Warning', reason: 'OOMKilled', message: 'oom', source: 'kubernetes', count: 1, labels: labelsOf({ namespace: 'prod', pod: `api-${i}` }) });
    await env.events.append([pod(1), pod(2), pod(3), { ...pod(4), labels: labelsOf({ namespace: 'dev' }) }]);
    const { m, sink } = env.manager();
    await m.load();
    await m.putFile(
      'kinds.yaml',
      `fathom: 1
groups:
  - name: k
    rules:
      - alert: WorkloadCpu
        threshold: { metric: cpu, scope: { namespace: prod }, aggregate: sum, by: [workload], op: ">", value: 4 }
      - alert: OOM
        event: { reason: OOMKilled, by: [namespace], window: 10m, min_count: 3 }
        annotations: { summary: "{{ $value }} OOM kills in {{ $labels.namespace }}" }
      - alert: HostSilent
        no_data: { metric: node_load1, by: [host], absent_for: 2m, lookback: 1h }
`,
    );
    await m.evaluateAll(at);
    const byName = (n: string) => sink.last.filter((a) => a.labels['alertname'] === n);
    assert.deepEqual(byName('WorkloadCpu').map((a) => a.labels['workload']), ['api']);
    assert.deepEqual(byName('OOM').map((a) => [a.labels['namespace'], a.annotations['summary']]), [['prod', '3 OOM kills in prod']]);
    assert.deepEqual(byName('HostSilent').map((a) => a.labels['host']), ['h2']);
    assert.equal(byName('WorkloadCpu')[0]?.generatorUrl, `http://ui.example/?group=custom%3Aworkload&at=api&from=${at - 30 * MIN}&to=${at + 30 * MIN}`);
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('built-in files load first, are listed as built-in, cannot be deleted, and a PUT of the same name replaces them', async () => {
  const env = await setup([]);
  try {
    const m = new RuleManager({ engine: new QueryEngine(env.storage), storage: env.storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(env.dir.path, 'rules'), builtin: [{ name: 'library-x.yaml', text: DOWN_RULES }], defaultIntervalMs: MIN, externalUrl: 'http://ui' });
    await m.load();
    assert.deepEqual(m.files().map((f) => [f.name, f.builtin, f.status]), [['library-x.yaml', true, 'loaded']]);
    assert.equal(await m.deleteFile('library-x.yaml'), 'builtin');
    assert.equal(m.groups().length, 1, 'still running');
    await m.putFile('library-x.yaml', DOWN_RULES.replace('for: 3m', 'for: 10m'));
    assert.equal(m.files()[0]?.builtin, undefined);
    const rule = m.groups()[0]?.rules[0]?.spec;
    assert.equal(rule?.type === 'alerting' ? rule.forMs : 0, 600_000);
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});

test('a file put while the manager is still loading is loaded once', async () => {
  const env = await setup([]);
  try {
    await mkdir(join(env.dir.path, 'rules'), { recursive: true });
    await writeFile(join(env.dir.path, 'rules', 'a.yaml'), DOWN_RULES);
    const { m } = env.manager();
    await Promise.all([m.putFile('a.yaml', DOWN_RULES), m.load(), m.putFile('b.yaml', DOWN_RULES)]);
    await m.load();
    assert.deepEqual(m.groups().map((g) => g.file), ['a.yaml', 'b.yaml']);
  } finally {
    await env.events.close();
    await env.dir.cleanup();
  }
});
