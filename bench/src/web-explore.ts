/**
 * Explore with ~10,000 pods in one table, in Debian's chromium: time to interactive, the largest
 * gap between frames while loading, sorting and scrolling, and the long tasks. A figure report,
 * not a pass/fail: `npm run bench:web` (BENCH_NODES, default 850 ≈ 10,000 pods).
 * There is no peer UI to run side by side; the report puts the figures next to the frame budget.
 * Wall-clock figures swing with the machine's load, so next to them: the CPU time of the page's
 * main thread (Chrome's ThreadTime) per phase and per sort, where each column's time went
 * (waiting for the server, download, parse, filing; from the page's User Timing measures), and
 * each column query replayed alone against the server afterwards (its CPU time in this process).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { CDPSession } from 'playwright-core';
import { DemoDriver } from '@fathom/demo';
import { NOOP_LOGGER } from '@fathom/kit';
import { tempDir } from '@fathom/testkit';
import { launchBrowser, startServer, texts } from '@fathom/e2e';

const NODES = Number(process.env['BENCH_NODES'] ?? 850);
/** Minutes of history to ingest before measuring (two samples per rate window suffice). */
const HISTORY_MIN = Number(process.env['BENCH_HISTORY_MIN'] ?? 2);
const INTERVAL_MS = 30_000;

/**
 * Runs in the page before anything else: records frame gaps and long tasks from navigation on,
 * and in the frame loop the first frame at which the table lists `minRows` rows (time to
 * interactive, measured in the page: no round trip to the bench in it).
 */
function probeScript(minRows: number): string {
  return `(() => {
  const probe = { gaps: [], longTasks: [], last: performance.now(), ttiMs: undefined };
  window.__probe = probe;
  const rows = () => Number((document.querySelector('[data-testid="entity-table"] h2 .muted')?.textContent ?? '0').split(' ')[0]);
  const frame = (t) => {
    probe.gaps.push([t, t - probe.last]);
    probe.last = t;
    if (probe.ttiMs === undefined && document.querySelector('[data-testid="entity-table"] .grid-row') !== null && rows() >= ${minRows}) probe.ttiMs = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) probe.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
})();`;
}

/**
 * Clicks a column header from inside the page and resolves with the milliseconds until the frame
 * after the table took the new order (rAF, then a task: the frame has been painted).
 */
function sortScript(col: string): string {
  return `new Promise((resolve) => {
  const table = document.querySelector('[data-testid="entity-table"]');
  const before = table.getAttribute('data-sort');
  const button = Array.from(document.querySelectorAll('.grid-header button')).find((b) => b.textContent.replace(/[ ▾▴]+$/, '') === ${JSON.stringify(col)});
  const t0 = performance.now();
  button.click();
  const check = () => {
    if (table.getAttribute('data-sort') !== before) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
    else requestAnimationFrame(check);
  };
  check();
})`;
}

interface Probe { gaps: [number, number][]; longTasks: [number, number][]; ttiMs: number }

function maxGap(p: Probe, fromMs: number, toMs: number): number {
  return Math.max(0, ...p.gaps.filter(([t]) => t >= fromMs && t <= toMs).map(([, g]) => g));
}

/** CPU milliseconds of the page's main thread so far (Chrome's Performance.getMetrics ThreadTime). */
async function mainThreadCpuMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * (metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN);
}

/** One column as the page measured it (apps/web column-loader.ts, "explore-column <id>"). */
interface ColumnMeasure {
  readonly id: string;
  readonly startMs: number;
  readonly totalMs: number;
  readonly detail: { expr: string; rows: number; bytes?: number; waitMs?: number; downloadMs?: number; parseMs: number; deliverMs: number; fileMs: number };
}

const MEASURES = `performance.getEntriesByType('measure').filter((m) => m.name.startsWith('explore-column ')).map((m) => ({ id: m.name.slice(15), startMs: m.startTime, totalMs: m.duration, detail: m.detail }))`;

/** Each query alone against the server, one after the other: wall and CPU time of this process (the server's), answer size. */
async function replay(url: string, atMs: number, columns: readonly ColumnMeasure[]): Promise<{ id: string; wallMs: number; cpuMs: number; bytes: number }[]> {
  const out = [];
  for (const c of columns) {
    const q = `${url}/api/v1/query?${new URLSearchParams({ query: c.detail.expr, time: String(atMs / 1000) }).toString()}`;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const body = await (await fetch(q)).arrayBuffer();
    const cpu = process.cpuUsage(cpu0);
    out.push({ id: c.id, wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), bytes: body.byteLength });
  }
  return out;
}

const round = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v));

/**
 * Waits until this process (the server) has used under 10 % of a core for 2 s in a row, at most
 * 120 s: after the ingest the server evaluates its alert rules over the new pods for seconds,
 * and a page opened then measures them too. Returns the wait and the CPU used meanwhile.
 */
async function settle(): Promise<{ waitedMs: number; cpuMs: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let quiet = 0; quiet < 4 && performance.now() - t0 < 120_000;) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    const c = process.cpuUsage(c0);
    quiet = (c.user + c.system) / 1000 < 0.1 * (performance.now() - w0) ? quiet + 1 : 0;
  }
  const c = process.cpuUsage(cpu0);
  return { waitedMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000) };
}

async function main(): Promise<void> {
  const dir = await tempDir();
  const server = await startServer(dir.path, 0, { ui: true });
  const t0 = Date.now();
  process.stdout.write(`ingesting ${HISTORY_MIN} min of a ${NODES}-node demo cluster…\n`);
  // A fixed clock: the backfill ends there even when ingesting a tick takes longer than a tick
  // (with the real clock it would chase the moving present for ever on a loaded machine).
  const fixedNowMs = Date.now();
  const demo = new DemoDriver({ serverUrl: server.url, nodes: NODES, seed: 1, historyMs: HISTORY_MIN * 60_000, intervalMs: INTERVAL_MS, backfillStepMs: INTERVAL_MS, incidents: [], logger: NOOP_LOGGER, backfillOnly: true, concurrency: 4, nowMs: () => fixedNowMs });
  await demo.run(new AbortController().signal);
  const pods = demo.simulator!.timeline.epochs[0]!.pods.size;
  process.stdout.write(`demo: ${NODES} nodes, ${pods} pods, ${demo.stats.samples} samples ingested in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  const settled = await settle();
  process.stdout.write(`server idle after ${settled.waitedMs} ms (${settled.cpuMs} ms CPU meanwhile: the alert rules' evaluation over the new pods)\n`);
  const browser = await launchBrowser({ width: 1440, height: 1000 });
  const page = await browser.context.newPage();
  await page.addInitScript(probeScript(Math.floor(pods * 0.9)));
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stdout.write(`demo ingested; opening Explore (load average ${load})\n`);
  const cpuStart = await mainThreadCpuMs(cdp);
  // The server runs in this process: its CPU time while the page loads (the driver is idle then).
  const serverCpu0 = process.cpuUsage();
  const serverCpuMs = (): number => {
    const u = process.cpuUsage(serverCpu0);
    return Math.round((u.user + u.system) / 1000);
  };
  // The window ends at the last sample: a window reaching past the data leaves the rate columns empty.
  const end = demo.stats.backfillDoneMs! - INTERVAL_MS;
  const url = `${server.url}/?group=custom:cluster,pod&at=demo&from=${end - HISTORY_MIN * 60_000}&to=${end}`;
  await page.goto(url);
  const countExpr = `Number((document.querySelector('[data-testid="entity-table"] h2 .muted')?.textContent ?? '0').split(' ')[0])`;
  await page.waitForFunction('window.__probe.ttiMs !== undefined', undefined, { timeout: 300_000, polling: 100 });
  const ttiMs = await page.evaluate<number>('window.__probe.ttiMs');
  const cpuTti = await mainThreadCpuMs(cdp);
  const serverTti = serverCpuMs();
  const rows = await page.evaluate<number>(countExpr);
  // Columns arrive one by one; the table is usable from the first.
  await page.waitForSelector('[data-testid="entity-table"][data-complete="true"]', { timeout: 300_000 });
  const allColumnsMs = await page.evaluate<number>('performance.now()');
  const cpuAllColumns = await mainThreadCpuMs(cdp);
  const serverAllColumns = serverCpuMs();
  await page.waitForTimeout(1500);
  const sortTimes: number[] = [];
  const sortCpu: number[] = [];
  const headers = (await texts(page, '.grid-header button')).map((h) => h.replace(/[ ▾▴]+$/, ''));
  process.stdout.write(`time to interactive ${Math.round(ttiMs)} ms, ${rows} rows; columns: ${headers.join(', ')}\n`);
  // Each click sorts by another column; done when the frame with the new order is painted.
  for (const col of ['Memory', 'Name', 'CPU'].filter((c) => headers.includes(c))) {
    const c = await mainThreadCpuMs(cdp);
    sortTimes.push(await page.evaluate<number>(sortScript(col)));
    sortCpu.push((await mainThreadCpuMs(cdp)) - c);
    await page.waitForTimeout(300);
  }
  const cpuScroll = await mainThreadCpuMs(cdp);
  const scrollStart = await page.evaluate<number>('performance.now()');
  for (let i = 0; i < 40; i++) {
    await page.evaluate(`document.querySelector('.grid-body').scrollTop = ${i * 9000}`);
    await page.waitForTimeout(16);
  }
  const scrollEnd = await page.evaluate<number>('performance.now()');
  const scrollCpuMs = (await mainThreadCpuMs(cdp)) - cpuScroll;
  const columns = await page.evaluate<ColumnMeasure[]>(MEASURES);
  const visibleAfterScroll = (await texts(page, '[data-testid="entity-table"] .grid-row .name')).length;
  await page.fill('input[aria-label="search"]', 'api-production');
  await page.waitForTimeout(500);
  const probe = await page.evaluate<Probe>('window.__probe');
  const result = {
    nodes: NODES, pods, rows, loadAverage: load, serverSettle: settled,
    timeToInteractiveMs: Math.round(ttiMs),
    allColumnsLoadedMs: Math.round(allColumnsMs),
    maxFrameGapLoadingMs: Math.round(maxGap(probe, 0, ttiMs)),
    maxFrameGapAfterLoadMs: Math.round(maxGap(probe, allColumnsMs + 200, scrollStart)),
    maxFrameGapColumnsLoadingMs: Math.round(maxGap(probe, ttiMs, allColumnsMs)),
    sortMs: sortTimes.map(Math.round),
    maxFrameGapScrollMs: Math.round(maxGap(probe, scrollStart, scrollEnd)),
    rowsInDomAfterScroll: visibleAfterScroll,
    longTasks: probe.longTasks.length,
    longestTaskMs: Math.round(Math.max(0, ...probe.longTasks.map(([, d]) => d))),
    longestTasks: [...probe.longTasks].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([t, d]) => `${Math.round(d)} ms at ${Math.round(t)} ms`),
    serverCpuMs: { toInteractive: serverTti, toAllColumns: serverAllColumns },
    mainThreadCpuMs: { toInteractive: Math.round(cpuTti - cpuStart), toAllColumns: Math.round(cpuAllColumns - cpuStart), sorts: sortCpu.map(Math.round), scroll: Math.round(scrollCpuMs) },
    // In the page: from asking to the values in the table; waitMs is queueing plus the server, to the first byte.
    columns: columns.map((c) => ({ id: c.id, startMs: Math.round(c.startMs), totalMs: Math.round(c.totalMs), rows: c.detail.rows, bytes: c.detail.bytes, waitMs: round(c.detail.waitMs), downloadMs: round(c.detail.downloadMs), parseMs: Math.round(c.detail.parseMs), deliverMs: Math.round(c.detail.deliverMs), fileMs: Math.round(c.detail.fileMs) })),
    serverAlone: [] as Awaited<ReturnType<typeof replay>>,
  };
  await browser.close();
  // The same queries again, alone and warm: the server's share of the time to interactive.
  result.serverAlone = await replay(server.url, end, columns);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`frame budget 16.7 ms (60 Hz); sorting ${rows} rows took ${result.sortMs.join(' / ')} ms (main thread CPU ${result.mainThreadCpuMs.sorts.join(' / ')} ms); largest frame gap while scrolling ${result.maxFrameGapScrollMs} ms\n`);
  const serverCpu = result.serverAlone.reduce((a, q) => a + q.cpuMs, 0);
  process.stdout.write(`server, each column query alone: ${result.serverAlone.map((q) => `${q.id} ${q.cpuMs} ms CPU (${Math.round(q.bytes / 1024)} KiB)`).join(', ')}; ${serverCpu} ms CPU in all\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/web-explore-${Date.now()}.json`, JSON.stringify(result, null, 2));
  await server.stop();
  await dir.cleanup();
}

await main();
