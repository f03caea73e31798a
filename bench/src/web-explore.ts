/**
 * Explore with ~10,000 pods in one table, in Debian's chromium: time to interactive, the largest
 * gap between frames while loading, sorting and scrolling, and the long tasks. A figure report,
 * not a pass/fail: `npm run bench:web` (BENCH_NODES, default 850 ≈ 10,000 pods).
 * There is no peer UI to run side by side; the report puts the figures next to the frame budget.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { DemoDriver } from '@fathom/demo';
import { NOOP_LOGGER } from '@fathom/kit';
import { tempDir } from '@fathom/testkit';
import { launchBrowser, startServer, texts } from '@fathom/e2e';

const NODES = Number(process.env['BENCH_NODES'] ?? 850);
/** Minutes of history to ingest before measuring (two samples per rate window suffice). */
const HISTORY_MIN = Number(process.env['BENCH_HISTORY_MIN'] ?? 2);
const INTERVAL_MS = 30_000;

/** Runs in the page before anything else: records frame gaps and long tasks from navigation on. */
const PROBE = `(() => {
  const probe = { gaps: [], longTasks: [], last: performance.now() };
  window.__probe = probe;
  const frame = (t) => { probe.gaps.push([t, t - probe.last]); probe.last = t; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) probe.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
})();`;

interface Probe { gaps: [number, number][]; longTasks: [number, number][] }

function maxGap(p: Probe, fromMs: number, toMs: number): number {
  return Math.max(0, ...p.gaps.filter(([t]) => t >= fromMs && t <= toMs).map(([, g]) => g));
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
  const browser = await launchBrowser({ width: 1440, height: 1000 });
  const page = await browser.context.newPage();
  await page.addInitScript(PROBE);
  process.stdout.write('demo ingested; opening Explore\n');
  // The window ends at the last sample: a window reaching past the data leaves the rate columns empty.
  const end = demo.stats.backfillDoneMs! - INTERVAL_MS;
  const url = `${server.url}/?group=custom:cluster,pod&at=demo&from=${end - HISTORY_MIN * 60_000}&to=${end}`;
  await page.goto(url);
  const countExpr = `Number((document.querySelector('[data-testid="entity-table"] h2 .muted')?.textContent ?? '0').split(' ')[0])`;
  await page.waitForFunction(`document.querySelectorAll('[data-testid="entity-table"] .grid-row').length > 0 && ${countExpr} >= ${Math.floor(pods * 0.9)}`, undefined, { timeout: 300_000, polling: 'raf' });
  const ttiMs = await page.evaluate<number>('performance.now()');
  const rows = await page.evaluate<number>(countExpr);
  // Columns arrive one by one; the table is usable from the first.
  await page.waitForSelector('[data-testid="entity-table"][data-complete="true"]', { timeout: 300_000 });
  const allColumnsMs = await page.evaluate<number>('performance.now()');
  await page.waitForTimeout(1500);
  const sortTimes: number[] = [];
  const headers = (await texts(page, '.grid-header button')).map((h) => h.replace(/[ ▾▴]+$/, ''));
  process.stdout.write(`time to interactive ${Math.round(ttiMs)} ms, ${rows} rows; columns: ${headers.join(', ')}\n`);
  // Each click sorts by another column; done when the table has rendered rows in the new order.
  for (const col of ['Memory', 'Name', 'CPU'].filter((c) => headers.includes(c))) {
    const before = await page.evaluate<string>(`document.querySelector('[data-testid="entity-table"]').getAttribute('data-sort')`);
    const t = await page.evaluate<number>('performance.now()');
    await page.click(`.grid-header button:has-text("${col}") >> nth=0`);
    await page.waitForFunction(`document.querySelector('[data-testid="entity-table"]').getAttribute('data-sort') !== ${JSON.stringify(before)}`, undefined, { polling: 'raf' });
    sortTimes.push((await page.evaluate<number>('performance.now()')) - t);
  }
  const scrollStart = await page.evaluate<number>('performance.now()');
  for (let i = 0; i < 40; i++) {
    await page.evaluate(`document.querySelector('.grid-body').scrollTop = ${i * 9000}`);
    await page.waitForTimeout(16);
  }
  const scrollEnd = await page.evaluate<number>('performance.now()');
  const visibleAfterScroll = (await texts(page, '[data-testid="entity-table"] .grid-row .name')).length;
  await page.fill('input[aria-label="search"]', 'api-production');
  await page.waitForTimeout(500);
  const probe = await page.evaluate<Probe>('window.__probe');
  const result = {
    nodes: NODES, pods, rows,
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
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`frame budget 16.7 ms (60 Hz); sorting ${rows} rows took ${result.sortMs.join(' / ')} ms; largest frame gap while scrolling ${result.maxFrameGapScrollMs} ms\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/web-explore-${Date.now()}.json`, JSON.stringify(result, null, 2));
  await browser.close();
  await server.stop();
  await dir.cleanup();
}

await main();
