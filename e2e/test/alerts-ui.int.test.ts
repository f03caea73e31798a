/**
 * The alerting pages in a real browser (Debian's chromium) on the live demo cluster, through the
 * server's real rules, alerts, events and silences APIs: firing and pending alerts with their
 * scope and a link to Explore there, alert events on the charts (firing apart from resolved), the
 * rules list with state and last evaluation, the rule-file editor showing a refused file's error
 * at its line and column, and silences created and expired. Saves screenshots as artifacts.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DemoDriver } from '@fathom/demo';
import { NOOP_LOGGER } from '@fathom/kit';
import { skipUnless, tempDir, waitFor } from '@fathom/testkit';
import { artifactsDir, attrs, chromiumPeer, launchBrowser, showAllPanels, startServer, texts, waitForText } from '../src/index.js';

const MINUTE_MS = 60_000;
const FILE = 'e2e-team.yaml';

/** Node memory above a threshold fires at once on every node; the prod workloads' rule waits an hour (pending). */
function ruleFile(nodeThresholdPct: number): string {
  return `groups:
  - name: e2e-nodes
    interval: 1s
    rules:
      - alert: DemoNodeMemoryUsed
        expr: 100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${nodeThresholdPct}
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.node }} uses {{ $value | printf \\"%.0f\\" }}% of its memory"
      - alert: DemoProdWorkloadBig
        expr: sum by (cluster, namespace, workload) (container_memory_working_set_bytes{namespace="prod"}) > 0
        for: 1h
        labels:
          severity: info
        annotations:
          summary: "{{ $labels.workload }} holds memory"
`;
}

async function shot(page: Page, name: string): Promise<void> {
  const dir = artifactsDir();
  mkdirSync(dir, { recursive: true });
  await showAllPanels(page);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<true> {
  return waitFor(what, async () => ((await cond()) ? true : undefined), timeoutMs);
}

async function api<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

interface PromAlert { labels: Record<string, string>; state: string; activeAt: string }

async function firing(serverUrl: string): Promise<PromAlert[]> {
  const r = await api<{ data: { alerts: PromAlert[] } }>(`${serverUrl}/api/v1/alerts`);
  return r.body.data.alerts;
}

interface Setup {
  readonly serverUrl: string;
  readonly page: Page;
  readonly pageErrors: string[];
  readonly put: (text: string) => Promise<{ status: number; body: { status: string; error?: string; line?: number; column?: number } }>;
}

/** A server with the UI, the live demo cluster, the e2e rule file loaded and firing, a browser page. */
async function setUp(t: TestContext): Promise<Setup> {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const server = await startServer(dir.path, 0, { ui: true });
  t.after(server.stop);
  // Live demo data (10 s ticks after 20 min of history), so rules evaluated now see fresh samples.
  const demo = new DemoDriver({ serverUrl: server.url, nodes: 12, seed: 5, historyMs: 20 * MINUTE_MS, intervalMs: 10_000, backfillStepMs: 30_000, incidents: [], logger: NOOP_LOGGER });
  const demoStop = new AbortController();
  const demoDone = demo.run(demoStop.signal);
  t.after(async () => { demoStop.abort(); await demoDone.catch(() => undefined); });
  await until('demo backfill', () => demo.stats.backfillDoneMs !== undefined, 120_000);
  const put: Setup['put'] = (text) => api(`${server.url}/api/fathom/rules/${FILE}`, { method: 'PUT', headers: { 'content-type': 'application/yaml' }, body: text });
  assert.equal((await put(ruleFile(5))).status, 200);
  await until('node memory alerts firing', async () => (await firing(server.url)).filter((a) => a.state === 'firing' && a.labels.alertname === 'DemoNodeMemoryUsed').length >= 10, 60_000);
  await until('a pending alert', async () => (await firing(server.url)).some((a) => a.state === 'pending'), 60_000);
  const browser = await launchBrowser();
  t.after(browser.close);
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { serverUrl: server.url, page, pageErrors, put };
}

test('alerting pages on the demo cluster: alerts → Explore, alert events, rules, a refused file at its line', { skip: skipUnless(chromiumPeer()), timeout: 300_000 }, async (t) => {
  const { serverUrl, page, pageErrors, put } = await setUp(t);
  const server = { url: serverUrl };

  // Alerts: as many rows as the API has active alerts; firing first.
  await page.goto(`${server.url}/?view=alerts`);
  await page.waitForSelector('[data-testid="alert-row"]');
  let active = await firing(server.url);
  await until('one row per active alert, and the same firing count', async () => {
    active = await firing(server.url);
    const rows = (await attrs(page, '[data-testid="alert-row"]', 'data-alertname')).length;
    return rows === active.length && (await page.textContent('[data-testid="firing-count"]')) === `${active.filter((a) => a.state === 'firing').length} firing`;
  }, 30_000);
  const states = await attrs(page, '[data-testid="alert-row"]', 'data-state');
  assert.equal(states[0], 'firing');
  assert.ok(states.includes('pending'));
  await shot(page, 'alerts');

  // The first node alert's Explore link: physical grouping at its node, a range around it.
  const first = page.locator('[data-testid="alert-row"][data-alertname="DemoNodeMemoryUsed"]').first();
  const scope = (await first.locator('.scope').textContent()) ?? '';
  const node = /node=([^ ·]+)/.exec(scope)![1]!;
  await first.locator('[data-testid="explore-link"]').click();
  await waitForText(page, '[data-testid="entity-table"] h2', /Pods/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('group'), 'physical');
  assert.deepEqual(url.searchParams.getAll('at'), ['demo', node]);
  assert.ok(Number(url.searchParams.get('to')) - Number(url.searchParams.get('from')) >= 30 * MINUTE_MS);

  // The alert's own event is on this node's charts and in the list, as firing.
  await page.waitForSelector('[data-testid="events"] .event[data-kind="alert-firing"]', { timeout: 60_000 });
  assert.match((await texts(page, '[data-testid="events"] .event[data-kind="alert-firing"] .event-reason'))[0]!, /DemoNodeMemoryUsed firing/);

  // Resolve it (threshold above 100 %): a resolved event follows, drawn apart from the firing one.
  assert.equal((await put(ruleFile(101))).status, 200);
  await until('node alerts resolved', async () => !(await firing(server.url)).some((a) => a.labels.alertname === 'DemoNodeMemoryUsed'), 60_000);
  // The last 15 minutes, so the firing and the resolved markers (seconds apart) stand apart.
  await page.goto(`${server.url}/?group=physical&at=demo&at=${node}&last=15m`);
  await page.waitForSelector('[data-testid="events"] .event[data-kind="alert-resolved"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="panel"] .u-over');
  await shot(page, 'explore-alert-events');

  // Rules: the group with both rules, their state and last evaluation.
  await page.goto(`${server.url}/?view=rules`);
  await page.waitForSelector('[data-testid="rule-group"][data-group="e2e-nodes"]');
  await until('pending rule shown', async () => (await attrs(page, '[data-testid="rule-row"][data-rule="DemoProdWorkloadBig"]', 'data-state'))[0] === 'pending', 30_000);
  assert.deepEqual(await attrs(page, '[data-testid="rule-row"][data-rule="DemoNodeMemoryUsed"]', 'data-health'), ['ok']);
  await shot(page, 'rules');

  // The editor: a broken expression is refused at the line and column the API reports; the rules keep running.
  await page.click(`[data-testid="rule-file"][data-file="${FILE}"] button:text-is("Edit")`);
  await page.waitForSelector('textarea[aria-label="rule file"]');
  const broken = ruleFile(101).replace('> 101', '> 101 )');
  const refused = await put(broken);
  assert.equal(refused.status, 400);
  assert.ok(refused.body.line !== undefined && refused.body.column !== undefined);
  await page.fill('textarea[aria-label="rule file"]', broken);
  await page.click('[data-testid="save-rules"]');
  await page.waitForSelector('[data-testid="rule-refusal"]');
  assert.match((await page.textContent('[data-testid="rule-refusal"]')) ?? '', new RegExp(`line ${refused.body.line}, column ${refused.body.column}`));
  assert.deepEqual(await texts(page, '.code-editor .ln.bad'), [String(refused.body.line)]);
  const caret = (await texts(page, '[data-testid="refusal-snippet"]'))[0]!;
  assert.ok(caret.includes(broken.split('\n')[refused.body.line - 1]!), 'the refused line is quoted');
  await shot(page, 'rule-editor-refused');
  const groups = await api<{ data: { groups: { name: string; rules: unknown[] }[] } }>(`${server.url}/api/v1/rules`);
  assert.equal(groups.body.data.groups.find((g) => g.name === 'e2e-nodes')?.rules.length, 2, 'the loaded rules keep running');

  assert.deepEqual(pageErrors, []);
});


test('silences on the demo cluster: from an alert\'s "Silence…", checked, created, listed, expired', { skip: skipUnless(chromiumPeer()), timeout: 300_000 }, async (t) => {
  const { serverUrl, page, pageErrors } = await setUp(t);
  const server = { url: serverUrl };
  // Silences: from a pending alert's "Silence…" button, prefilled; created, listed, expired.
  await page.goto(`${server.url}/?view=alerts`);
  await page.locator('[data-testid="alert-row"][data-alertname="DemoProdWorkloadBig"] button:has-text("Silence")').first().click();
  const prefilled = await page.inputValue('input[aria-label="matchers"]');
  assert.match(prefilled, /^alertname="DemoProdWorkloadBig", cluster="demo", namespace="prod", workload="/);
  await page.fill('input[aria-label="created by"]', 'e2e@example.com');
  await page.click('button:text-is("Create silence")');
  await page.waitForSelector('[data-testid="silence-error"]');
  assert.match((await page.textContent('[data-testid="silence-error"]')) ?? '', /comment/);
  await page.fill('input[aria-label="comment"]', 'known: the e2e test silences it');
  await page.click('button:text-is("Create silence")');
  await page.waitForSelector('[data-testid="silence-row"][data-state="active"]');
  const listed = await api<{ data: unknown }>(`${server.url}/api/fathom/silences`);
  assert.ok(JSON.stringify(listed.body.data).includes('known: the e2e test silences it'));
  await shot(page, 'silences');
  await page.click('[data-testid="silence-row"][data-state="active"] button:text-is("Expire")');
  await page.waitForSelector('[data-testid="silence-row"][data-state="expired"]');
  assert.deepEqual(pageErrors, []);
});
