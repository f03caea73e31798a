/**
 * The web UI in a real browser (Debian's chromium) on the demo cluster, through the server that
 * serves it: drill from namespace to container, numbers against the query API, zoom by dragging,
 * links that reproduce the view, a user dashboard. Saves screenshots as artifacts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DemoDriver } from '@fathom/demo';
import { NOOP_LOGGER } from '@fathom/kit';
import { skipUnless, tempDir } from '@fathom/testkit';
import { artifactsDir, attrs, chromiumPeer, launchBrowser, showAllPanels, startServer, texts, waitForText } from '../src/index.js';

const MINUTE_MS = 60_000;

async function shot(page: Page, name: string): Promise<void> {
  const dir = artifactsDir();
  mkdirSync(dir, { recursive: true });
  await showAllPanels(page);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function rowsOf(page: Page): Promise<string[]> {
  // Columns arrive one by one; read once all have answered.
  await page.waitForSelector('[data-testid="entity-table"][data-complete="true"] .grid-row');
  return (await attrs(page, '[data-testid="entity-table"] .grid-row', 'data-name')).map((n) => n ?? '');
}

async function queryByWorkload(serverUrl: string, atMs: number, expr: string): Promise<Map<string, number>> {
  const res = await fetch(`${serverUrl}/api/v1/query?time=${atMs / 1000}&query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { data: { result: { metric: { workload: string }; value: [number, string] }[] } };
  return new Map(body.data.result.map((r) => [r.metric.workload, Number(r.value[1])]));
}

async function openRow(page: Page, name: string, expectTitle: RegExp): Promise<void> {
  await page.click(`[data-testid="entity-table"] .grid-row[data-name="${name}"]`);
  await waitForText(page, '[data-testid="entity-table"] h2', expectTitle);
}

test('Explore on the demo cluster: drill down, numbers match the API, zoom, links, dashboards', { skip: skipUnless(chromiumPeer()), timeout: 300_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const server = await startServer(dir.path, 0, { ui: true });
  t.after(server.stop);
  const nowMs = Date.now();
  const demo = new DemoDriver({
    serverUrl: server.url, nodes: 12, seed: 3, historyMs: 80 * MINUTE_MS, intervalMs: 10_000, backfillStepMs: 30_000,
    incidents: [{ kind: 'domino', atMs: nowMs - 75 * MINUTE_MS }], logger: NOOP_LOGGER, backfillOnly: true,
  });
  await demo.run(new AbortController().signal);
  assert.equal(demo.stats.failedBatches, 0);
  const browser = await launchBrowser();
  t.after(browser.close);
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // A fixed window so the UI and our own queries evaluate at the same instant.
  const fromMs = Math.floor((nowMs - 70 * MINUTE_MS) / 1000) * 1000;
  const toMs = Math.floor((nowMs - 2 * MINUTE_MS) / 1000) * 1000;
  await page.goto(`${server.url}/?from=${fromMs}&to=${toMs}`);
  assert.deepEqual(await rowsOf(page), ['demo']);
  await page.waitForSelector('[data-testid="panel"] .u-over');
  await shot(page, 'explore-cluster');

  await openRow(page, 'demo', /Namespaces/);
  const namespaces = await rowsOf(page);
  for (const ns of ['prod', 'test', 'kube-system']) assert.ok(namespaces.includes(ns), ns);
  await openRow(page, 'prod', /Workloads/);
  await page.waitForSelector('[data-testid="events"] .event');
  await shot(page, 'explore-namespace-prod');

  // The table's numbers are the query API's numbers at the window's end.
  const rowNames = await attrs(page, '[data-testid="entity-table"] .grid-row', 'data-name');
  const rowMem = await attrs(page, '[data-testid="entity-table"] .grid-row [data-col="mem"]', 'data-value');
  const memCells = rowNames.map((n, i) => [n, rowMem[i]] as const);
  const api = (await (await fetch(`${server.url}/api/v1/query?time=${toMs / 1000}&query=${encodeURIComponent('sum by (workload) (container_memory_working_set_bytes{cluster="demo",namespace="prod",workload!=""})')}`)).json()) as { data: { result: { metric: { workload: string }; value: [number, string] }[] } };
  const expected = new Map(api.data.result.map((r) => [r.metric.workload, Number(r.value[1])]));
  assert.ok(memCells.length >= 8);
  for (const [name, value] of memCells) assert.equal(Number(value), expected.get(name!), `memory of ${name}`);
  // Latency is the p95 of the request-duration histogram (a 68 min window: 15 s steps, 1 m rate window).
  const rowLatency = await attrs(page, '[data-testid="entity-table"] .grid-row [data-col="latency"]', 'data-value');
  const p95 = await queryByWorkload(server.url, toMs, 'histogram_quantile(0.95, sum by (workload, le) (rate(http_request_duration_seconds_bucket{cluster="demo",namespace="prod",workload!=""}[1m])))');
  const latencyOf = new Map(rowNames.map((n, i) => [n, rowLatency[i]]));
  assert.ok(p95.size >= 4, 'prod services with a latency histogram');
  for (const [name, value] of p95) if (Number.isFinite(value)) assert.equal(Number(latencyOf.get(name)), value, `p95 latency of ${name}`);
  const names = memCells.map(([n]) => n);
  assert.ok(names.includes('api-production') && names.includes('catalog-production'));

  // Sort by memory, ascending then descending: the rows follow.
  await page.click('.grid-header button:text-is("Memory")');
  await page.waitForURL(/sort=-mem/);
  const sorted = (await attrs(page, '[data-testid="entity-table"] .grid-row [data-col="mem"]', 'data-value')).map(Number);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));

  await openRow(page, 'api-production', /Pods/);
  const pods = await rowsOf(page);
  assert.ok(pods.length >= 2 && pods.every((p) => p.startsWith('api-production-')));
  await openRow(page, pods[0]!, /Containers/);
  assert.deepEqual((await rowsOf(page)).sort(), ['api', 'log-shipper']);
  await openRow(page, 'api', /Processes/);
  assert.deepEqual(await rowsOf(page), ['node']);
  const crumbs = await texts(page, '[data-testid="breadcrumbs"] .crumb');
  assert.equal(crumbs.length, 6);
  await page.waitForSelector('[data-testid="panel"] .u-over');
  await shot(page, 'explore-container');

  // Zoom: drag across a chart; the range in the URL narrows to the dragged span.
  const over = (await page.$('[data-testid="panel"] .u-over'))!;
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForURL((u) => u.searchParams.get('from') !== String(fromMs));
  const zoomed = new URL(page.url());
  const zFrom = Number(zoomed.searchParams.get('from'));
  const zTo = Number(zoomed.searchParams.get('to'));
  assert.ok(zFrom > fromMs && zTo < toMs && zTo - zFrom < (toMs - fromMs) * 0.5, `zoomed to ${zFrom}..${zTo}`);

  // A link reproduces the view: open the URL in a fresh page.
  const other = await browser.context.newPage();
  await other.goto(page.url());
  // (The pod may not have existed yet in the zoomed window — the domino rescheduled it — so wait for the page, not rows.)
  await other.waitForSelector('[data-testid="entity-table"] h2');
  await other.waitForSelector('[data-testid="panel"]');
  assert.deepEqual(await texts(other, '[data-testid="breadcrumbs"] .crumb'), crumbs);
  assert.equal(await other.textContent('[data-testid="range-label"]'), await page.textContent('[data-testid="range-label"]'));
  await other.close();

  // Breadcrumb back up to the namespace, and the browser's Back button.
  await page.click('[data-testid="breadcrumbs"] .crumb:has-text("prod")');
  await waitForText(page, '[data-testid="entity-table"] h2', /Workloads/);
  await page.goBack();
  await waitForText(page, '[data-testid="entity-table"] h2', /Processes/);

  // Physical grouping: nodes.
  await page.goto(`${server.url}/?group=physical&at=demo&from=${fromMs}&to=${toMs}`);
  const nodes = await rowsOf(page);
  assert.ok(nodes.length >= 9 && nodes.every((n) => n.endsWith('.ec2.internal')), nodes.join(','));

  // A user dashboard: create from the list, it renders its panels; it is saved on the server.
  await page.goto(`${server.url}/?view=dashboards&from=${fromMs}&to=${toMs}`);
  await page.fill('input[aria-label="new dashboard title"]', 'Team checkout');
  await page.click('button:text-is("Create")');
  await page.waitForSelector('[data-testid="panel"][data-title="CPU by workload"] .u-over');
  await page.waitForSelector('[data-testid="panel"][data-title="Top pods by CPU"] .bars li');
  await shot(page, 'dashboard-user');
  const saved = (await (await fetch(`${server.url}/api/fathom/dashboards/team-checkout`)).json()) as { data: { title: string; panels: unknown[] } };
  assert.equal(saved.data.title, 'Team checkout');
  assert.equal(saved.data.panels.length, 4);
  assert.deepEqual(pageErrors, []);
});
