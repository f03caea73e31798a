/** `fathom up --demo` drives the real ingest path: the simulated cluster is queryable at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '@fathom/testkit';

const BIN = fileURLToPath(new URL('../../../bin/fathom.js', import.meta.url));

interface Vector { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }

test('fathom up --demo backfills history through ingest; the query API sees the cluster', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const p = spawn(process.execPath, [BIN, 'up', '--demo', '--history', '40m', '--data-dir', dir.path, '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => p.kill('SIGKILL'));
  let out = '';
  let err = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const url = await waitFor('the URL', () => Promise.resolve(/demo cluster: (http:\/\/\S+)/.exec(out)?.[1]), 30_000, 100);
  await waitFor('the backfill', () => Promise.resolve(/demo backfill done/.test(out + err) ? true : undefined), 90_000, 200);
  const q = async (query: string): Promise<Vector> => (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as Vector;
  const nodes = await q('count(node_memory_MemTotal_bytes)');
  assert.equal(nodes.data.result[0]?.value[1], '12');
  const ns = await q('count by (namespace) (kube_pod_info)');
  const namespaces = ns.data.result.map((r) => r.metric.namespace).sort();
  for (const n of ['kube-system', 'prod', 'test']) assert.ok(namespaces.includes(n), n);
  const range = (await (await fetch(`${url}/api/v1/query_range?query=${encodeURIComponent('sum(rate(container_cpu_usage_seconds_total[2m]))')}&start=${(Date.now() - 35 * 60_000) / 1000}&end=${Date.now() / 1000}&step=60`)).json()) as { data: { result: { values: unknown[] }[] } };
  assert.ok(range.data.result[0]!.values.length >= 30, 'history is backfilled');
  p.kill('SIGINT');
  await new Promise((r) => p.once('exit', r));
});

test('fathom simulate: bad flags are clear messages naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['simulate', '--nodes', 'many'], /--nodes: expected an integer from 1 to 5000, got "many"/],
    [['simulate', '--history', 'long'], /--history: expected a duration like 10s or 3h, got "long"/],
    [['simulate', '--incident', 'meteor@+1m'], /--incident: incident "meteor@\+1m": expected domino@<when> or canary@<when>/],
    [['simulate', '--history', '10m', '--incident', 'domino@-1h'], /--incident: an incident is set before the simulated history starts/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});
