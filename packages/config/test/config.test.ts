import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadAgentConfig, loadServerConfig } from '../src/index.js';

const testdata = (name: string): string => fileURLToPath(new URL(`../../testdata/${name}`, import.meta.url));

test('defaults are complete and sensible', () => {
  const a = loadAgentConfig();
  assert.equal(a.intervalMs, 10_000);
  assert.equal(a.processes.topN, 20);
  assert.equal(a.buffer.maxDiskBytes, 256 * 1024 * 1024);
  const s = loadServerConfig();
  assert.equal(s.port, 9070);
  assert.equal(s.fsync, 'always');
  assert.deepEqual([s.rules.maxConcurrentGroups, s.rules.evaluationSliceMs, s.rules.sharedSelectionsMaxSamples], [2, 10, 2_000_000]);
});

test('a good file sets both sections; units are parsed', () => {
  const a = loadAgentConfig({ file: testdata('full.good.yaml') });
  assert.equal(a.intervalMs, 5000);
  assert.equal(a.host, 'node-a');
  assert.equal(a.processes.topN, 5);
  assert.equal(a.processes.maxProcesses, 1000, 'defaults fill the rest of a nested section');
  assert.equal(a.buffer.maxDiskBytes, 64 * 1024 * 1024);
  const s = loadServerConfig({ file: testdata('full.good.yaml') });
  assert.equal(s.port, 9999);
  assert.equal(s.retentionMs, 7_200_000);
  assert.equal(s.limits.maxBodyBytes, 1024 * 1024);
});

test('flags win over the file', () => {
  const s = loadServerConfig({ file: testdata('full.good.yaml'), overrides: { port: '1234' } });
  assert.equal(s.port, 1234);
});

const expected = JSON.parse(readFileSync(testdata('expected-errors.json'), 'utf8')) as Record<string, string>;
for (const [file, message] of Object.entries(expected)) {
  test(`bad config ${file} names the field`, () => {
    const load = (): unknown =>
      /port|server/.test(file) ? loadServerConfig({ file: testdata(file) }) : loadAgentConfig({ file: testdata(file) });
    assert.throws(load, (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.ok(err.message.includes(message), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(message)}`);
      return true;
    });
  });
}

test('a bad flag names the flag', () => {
  assert.throws(
    () => loadServerConfig({ overrides: { port: 'eighty' }, flags: { port: '--port' } }),
    /invalid configuration: --port: expected a port number/,
  );
});

test('a missing file is a clear error', () => {
  assert.throws(() => loadAgentConfig({ file: '/nonexistent/fathom.yaml' }), /cannot read config file \/nonexistent\/fathom.yaml/);
});

test('query limits default to Prometheus-like values', () => {
  assert.deepEqual(loadServerConfig().query, { timeoutMs: 120_000, maxSamples: 50_000_000, maxSeries: 1_000_000, lookbackMs: 300_000 });
});

test('server.rules: defaults, durations, and a bad external label name named in the error', () => {
  const s = loadServerConfig();
  assert.equal(s.rules.evaluationIntervalMs, 60_000);
  assert.equal(s.rules.dir, undefined);
  const t = loadServerConfig({ overrides: { rules: { dir: '/etc/fathom/rules', evaluationIntervalMs: '30s', externalLabels: { cluster: 'eu' } } } });
  assert.equal(t.rules.evaluationIntervalMs, 30_000);
  assert.deepEqual(t.rules.externalLabels, { cluster: 'eu' });
  assert.throws(() => loadServerConfig({ overrides: { rules: { externalLabels: { 'bad-name': 'x' } } } }), (err: unknown) => err instanceof ConfigError && /server\.rules\.externalLabels/.test(err.message));
});

test('server.storage.idleCheckpointMs: 30 s by default, a duration, 0 turns it off, a negative one is an error', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/fathom-config-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (v: string): number => {
    writeFileSync(`${dir}/c.yaml`, `server:\n  storage:\n    idleCheckpointMs: ${v}\n`);
    return loadServerConfig({ file: `${dir}/c.yaml` }).storage.idleCheckpointMs;
  };
  assert.equal(loadServerConfig().storage.idleCheckpointMs, 30_000);
  assert.equal(load('2m'), 120_000);
  assert.equal(load('0'), 0);
  assert.throws(() => load('-5s'), (e: unknown) => e instanceof ConfigError && /server\.storage\.idleCheckpointMs/.test(e.message));
});
