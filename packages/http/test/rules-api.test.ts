/**
 * The rules and alerts API over a real rule manager: Prometheus' shapes for /api/v1/rules and
 * /api/v1/alerts, the `type` filter, and the management API (a bad file → 400 with line and
 * column while the loaded rules keep running; delete → 404 afterwards).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import { tempDir } from '@fathom/testkit';
import { CountingAlertSink, MemoryStorage, RuleManager } from '@fathom/alerts';
import { createServerApp } from '../src/index.js';

const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const RULES = `groups:
  - name: api
    interval: 30s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 1m
        keep_firing_for: 2m
        labels: { severity: page }
        annotations: { summary: "{{ $labels.instance }} down" }
`;

async function setup() {
  const dir = await tempDir('fathom-rules-api-');
  const storage = new MemoryStorage();
  const app = storage.appender();
  app.append(labelsOf({ __name__: 'up', job: 'node', instance: 'a' }), T - 60_000, 0);
  app.append(labelsOf({ __name__: 'up', job: 'node', instance: 'a' }), T, 0);
  await app.commit();
  const engine = new QueryEngine(storage);
  const rules = new RuleManager({ engine, storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), defaultIntervalMs: 60_000, externalUrl: 'http://ui' });
  await rules.load();
  const http = createServerApp({ storage, engine, logger: NOOP_LOGGER, limits: { maxBodyBytes: 64 * 1024, maxDecodedBytes: 1024, maxSeries: 10 }, rules });
  const call = async (path: string, init?: RequestInit) => {
    const r = await http.request(path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { dir, rules, call, http };
}

test('rules and alerts in Prometheus shapes; type filter; bad type refused', async () => {
  const { dir, rules, call, http } = await setup();
  try {
    assert.equal((await call('/api/fathom/rules/api.yaml', { method: 'PUT', body: RULES })).status, 200);
    await rules.evaluateAll(T);
    const r = await call('/api/v1/rules');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(JSON.stringify(r.body).replace(/"evaluationTime":[0-9.e-]+/g, '"evaluationTime":0')), {
      status: 'success',
      data: {
        groups: [
          {
            name: 'api',
            file: 'api.yaml',
            rules: [
              { name: 'job:up:sum', query: 'sum by (job) (up)', health: 'ok', evaluationTime: 0, lastEvaluation: '2026-01-01T12:00:00.000Z', type: 'recording' },
              {
                state: 'pending',
                name: 'Down',
                query: 'up == 0',
                health: 'ok',
                evaluationTime: 0,
                lastEvaluation: '2026-01-01T12:00:00.000Z',
                duration: 60,
                keepFiringFor: 120,
                labels: { severity: 'page' },
                annotations: { summary: '{{ $labels.instance }} down' },
                alerts: [{ labels: { alertname: 'Down', instance: 'a', job: 'node', severity: 'page' }, annotations: { summary: 'a down' }, state: 'pending', activeAt: '2026-01-01T12:00:00.000Z', value: '0e+00' }],
                type: 'alerting',
              },
            ],
            interval: 30,
            limit: 0,
            evaluationTime: 0,
            lastEvaluation: '2026-01-01T12:00:00.000Z',
          },
        ],
      },
    });
    const rec = await call('/api/v1/rules?type=record');
    const recRules = ((rec.body['data'] as { groups: { rules: { type: string }[] }[] }).groups[0]?.rules ?? []).map((x) => x.type);
    assert.deepEqual(recRules, ['recording']);
    const alert = await call('/api/v1/rules?type=alert&exclude_alerts=true');
    const alertRule = (alert.body['data'] as { groups: { rules: Record<string, unknown>[] }[] }).groups[0]?.rules[0];
    assert.equal(alertRule?.['type'], 'alerting');
    assert.equal(alertRule?.['alerts'], undefined);
    const bad = await call('/api/v1/rules?type=alerts');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { status: 'error', errorType: 'bad_data', error: 'not supported value "alerts"' });
    const metrics = await (await http.request('/metrics')).text();
    assert.match(metrics, /^fathom_alerts\{state="pending"\} 1$/m);
    assert.match(metrics, /^fathom_rule_group_evaluations_total\{file="api.yaml",rule_group="api"\} 1$/m);
    assert.match(metrics, /^fathom_alerts_sent_total 0$/m);
    assert.match(metrics, /^fathom_rule_group_iterations_missed_total\{file="api.yaml",rule_group="api"\} 0$/m);
    assert.match(metrics, /^fathom_rule_group_last_evaluation_timestamp_seconds\{file="api.yaml",rule_group="api"\} \d+(\.\d+)?$/m);
    assert.match(metrics, /^fathom_rule_group_interval_seconds\{file="api.yaml",rule_group="api"\} \d+$/m);
    assert.match(metrics, /^fathom_rule_selections_total\{result="shared"\} 0$/m);
    const alerts = await call('/api/v1/alerts');
    assert.deepEqual(alerts.body, { status: 'success', data: { alerts: [{ labels: { alertname: 'Down', instance: 'a', job: 'node', severity: 'page' }, annotations: { summary: 'a down' }, state: 'pending', activeAt: '2026-01-01T12:00:00.000Z', value: '0e+00' }] } });
  } finally {
    await dir.cleanup();
  }
});

test('management API: a bad file is a 400 with line and column and the old rules keep running; delete', async () => {
  const { dir, rules, call } = await setup();
  try {
    await call('/api/fathom/rules/api.yaml', { method: 'PUT', body: RULES });
    const bad = await call('/api/fathom/rules/api.yaml', { method: 'PUT', body: RULES.replace('sum by (job) (up)', 'sum by (job) (up') });
    assert.equal(bad.status, 400);
    assert.equal(bad.body['errorType'], 'bad_data');
    assert.equal(bad.body['line'], 6);
    assert.equal(bad.body['column'], 31);
    assert.match(String(bad.body['error']), /^api\.yaml:6:31: could not parse expression: parse error: unexpected end of input/);
    await rules.evaluateAll(T);
    assert.equal(rules.groups()[0]?.rules[1]?.health, 'ok', 'the loaded rules still run');
    const list = await call('/api/fathom/rules');
    assert.deepEqual(list.body, { status: 'success', data: [{ name: 'api.yaml', source: RULES, groups: ['api'], status: 'loaded' }] });
    const badName = await call('/api/fathom/rules/..%2Fx.yaml', { method: 'PUT', body: RULES });
    assert.equal(badName.status, 400);
    assert.equal((await call('/api/fathom/rules/api.yaml', { method: 'DELETE' })).status, 200);
    assert.equal((await call('/api/fathom/rules/api.yaml', { method: 'DELETE' })).status, 404);
    assert.equal((await call('/api/fathom/rules/api.yaml')).status, 404);
    const tooBig = await call('/api/fathom/rules/big.yaml', { method: 'PUT', body: `# ${'x'.repeat(70 * 1024)}\n` });
    assert.equal(tooBig.status, 413);
  } finally {
    await dir.cleanup();
  }
});
