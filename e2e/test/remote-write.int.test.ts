/**
 * A real Debian Prometheus scrapes itself every second and remote-writes (protobuf + snappy v1) to
 * Fathom; Fathom must hold exactly the samples Prometheus holds for the same range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prometheusPeer, skipUnless, startPrometheus, tempDir, waitFor } from '@fathom/testkit';
import { startServer } from '../src/index.js';

interface Row {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

async function instant(url: string, expr: string, atSeconds: number): Promise<Row[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${atSeconds}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: Row[] } };
  if (body.status !== 'success') throw new Error(`${url}: ${expr}: ${body.error ?? ''}`);
  return body.data.result.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
}

test('Debian prometheus remote-writes its own scrapes into Fathom, sample for sample', { skip: skipUnless(prometheusPeer()), timeout: 120_000 }, async (t) => {
  const dir = await tempDir();
  const fathom = await startServer(dir.path);
  t.after(async () => {
    await fathom.stop();
    await dir.cleanup();
  });
  const prom = await startPrometheus({
    config: `
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['$SELF'] }]
remote_write:
  - url: ${fathom.url}/api/v1/write
    queue_config: { batch_send_deadline: 200ms, max_samples_per_send: 2000 }
    metadata_config: { send_interval: 1s }
`,
  });
  t.after(() => prom.stop());

  // Wait until Fathom has several scrapes of `up`.
  const lastSeconds = await waitFor('five scrapes of up in Fathom', async () => {
    const rows = await instant(fathom.url, 'up{job="prometheus"}[1m]', Date.now() / 1000);
    const values = rows[0]?.values ?? [];
    return values.length >= 5 ? (values[values.length - 1]?.[0] ?? 0) : undefined;
  }, 60_000).catch((err: unknown) => assert.fail(`${String(err)}\nprometheus log:\n${prom.log()}`));

  // Up to the last timestamp Fathom has seen, both hold the same raw samples of every series of the job.
  for (const expr of ['up[1m]', 'prometheus_build_info[1m]', 'prometheus_tsdb_head_series[1m]', 'scrape_samples_scraped[1m]']) {
    const ours = await instant(fathom.url, expr, lastSeconds);
    const theirs = await instant(prom.url, expr, lastSeconds);
    assert.ok(theirs.length > 0, `${expr}: the reference has data`);
    assert.deepEqual(ours, theirs, expr);
  }
  // Many series made it, with their metadata.
  const count = await instant(fathom.url, 'count({job="prometheus"})', lastSeconds);
  assert.ok(Number(count[0]?.value?.[1]) > 100, `Fathom holds Prometheus' own series: ${JSON.stringify(count)}`);
  const meta = await waitFor('metadata of prometheus_build_info', async () => {
    const r = (await (await fetch(`${fathom.url}/api/v1/metadata?metric=prometheus_build_info`)).json()) as { data: Record<string, { type: string }[]> };
    return r.data['prometheus_build_info']?.[0];
  }, 30_000);
  assert.equal(meta.type, 'gauge');
});
