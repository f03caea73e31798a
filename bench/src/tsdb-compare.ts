/**
 * The TSDB benchmark: one deterministic Kubernetes-shaped data set (values replaying real
 * node-exporter scrapes) fed identically over remote write to Fathom, Debian's prometheus and
 * Debian's victoria-metrics, one engine after the other on the same machine, in one run.
 *
 *   npm run bench:tsdb          (BENCH_PODS=400 BENCH_METRICS=40 BENCH_HOURS=6 BENCH_RUNS=10)
 *
 * Per engine: ingest samples per CPU-second of the engine's process (= samples/s per core), disk
 * bytes per sample after compaction, RSS per active series (5 s after ingest, and settled after
 * BENCH_SETTLE_S idle seconds), p50/p99 of five dashboard queries over
 * 1 h, 6 h and 7 d, and the time to answer queries again after kill -9 with the whole data set.
 * Prints a Markdown table; keeps JSON in bench/results/.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { executablePeer, freePort, waitFor } from '@fathom/testkit';
import { cpuSeconds } from './proc-usage.js';
import { generateSeries, loadTraces, valueAt } from './tsdb/dataset.js';
import type { Series } from './tsdb/dataset.js';
import { fathom, prometheus, victoriaMetrics } from './tsdb/engines.js';
import type { Engine } from './tsdb/engines.js';
import { compress, encodeWriteRequest, send } from './tsdb/remote-write.js';
import type { PbSeries } from './tsdb/remote-write.js';

// 16,000 active series (~26,000 with churn over 6 h): near issue 3's shape while all three engines finish in ~15 min here
const PODS = Number(process.env['BENCH_PODS'] ?? 400);
const METRICS = Number(process.env['BENCH_METRICS'] ?? 40);
/** Idle seconds after ingest before the settled RSS is read (runtimes give memory back lazily). */
const SETTLE_S = Number(process.env['BENCH_SETTLE_S'] ?? 60);
const HOURS = Number(process.env['BENCH_HOURS'] ?? 6);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
/** Comma-separated subset of engines to run (names lower-case, e.g. `fathom`); all three by default. */
const ENGINES = (process.env['BENCH_ENGINES'] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
const STEP_MS = 10_000;
const WINDOW_STEPS = 12; // one request = 2 minutes of every series of a shard
const SHARDS = 2;
const SCRAPES = [
  process.env['BENCH_SCRAPES'],
  fileURLToPath(new URL('../../../shared/data/metrics/node_exporter_scrapes.txt.gz', import.meta.url)),
  '/work/shared/data/metrics/node_exporter_scrapes.txt.gz',
].find((p) => p !== undefined && existsSync(p));

const QUERIES: readonly (readonly [string, string])[] = [
  ['cpu by workload', 'sum by (namespace, workload) (rate(container_cpu_usage_seconds_total[5m]))'],
  ['memory by namespace', 'sum by (namespace) (container_memory_working_set_bytes)'],
  ['top pods by rx', 'topk(10, sum by (pod) (rate(container_network_receive_bytes_total[5m])))'],
  ['rss by node, regex', 'max by (node) (container_memory_rss{namespace=~"ns-1.*"})'],
  ['restarts by namespace', 'sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))'],
];
const RANGES: readonly (readonly [string, number, number])[] = [
  ['1h', 3_600_000, 15_000],
  ['6h', 6 * 3_600_000, 60_000],
  ['7d', 7 * 86_400_000, 600_000],
];

interface Result {
  engine: string;
  samples: number;
  ingestWallS: number;
  ingestCpuS: number;
  samplesPerCoreS: number;
  diskBytes: number;
  bytesPerSample: number;
  rssBytes: number;
  activeSeries: number;
  rssPerActiveSeries: number;
  settledRssBytes: number;
  settledRssPerActiveSeries: number;
  restartS: number;
  queries: Record<string, { p50Ms: number; p99Ms: number; errors: number; timesMs: number[] }>;
}

/** Requests per shard, in time order; identical bytes for every engine. */
function buildRequests(all: readonly Series[], startMs: number, steps: number): { shards: Buffer[][]; samples: number } {
  const shards: Buffer[][] = Array.from({ length: SHARDS }, () => []);
  let samples = 0;
  for (let w = 0; w < steps; w += WINDOW_STEPS) {
    for (let k = 0; k < SHARDS; k++) {
      const batch: PbSeries[] = [];
      all.forEach((s, idx) => {
        if (idx % SHARDS !== k) return;
        const pts: [number, number][] = [];
        for (let i = w; i < Math.min(w + WINDOW_STEPS, steps); i++) {
          const t = startMs + i * STEP_MS;
          if (t >= s.fromMs && t < s.untilMs) pts.push([t, valueAt(s, i)]);
        }
        if (pts.length > 0) batch.push({ labels: s.labels, samples: pts });
        samples += pts.length;
      });
      shards[k]?.push(compress(encodeWriteRequest(batch)));
    }
  }
  return { shards, samples };
}

/** True once the engine answers a query over the data set's last minute with data. */
async function ready(base: string, params: string, endMs: number): Promise<boolean> {
  try {
    const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent('count(container_memory_rss)')}&time=${endMs / 1000}${params}`);
    if (!r.ok) return false;
    const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value[1] ?? 0) > 0;
  } catch {
    return false;
  }
}

async function timedQuery(base: string, e: Engine, query: string, rangeMs: number, stepMs: number, endS: number): Promise<number | undefined> {
  const url = `${base}/api/v1/query_range?query=${encodeURIComponent(query)}&start=${endS - rangeMs / 1000}&end=${endS}&step=${stepMs / 1000}${e.queryParams}`;
  const t0 = performance.now();
  const r = await fetch(url);
  const body = await r.text();
  const ms = performance.now() - t0;
  return r.ok && body.includes('"success"') ? ms : undefined;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

function rssBytes(pid: number): number {
  const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

function duBytes(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

async function stop(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await exited;
}

async function benchEngine(e: Engine, work: string, reqs: { shards: Buffer[][]; samples: number }, activeSeries: number, endMs: number): Promise<Result> {
  const dir = join(work, e.name);
  mkdirSync(dir, { recursive: true });
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let proc = e.start(dataDir, port);
  try {
    await waitFor(`${e.name} to listen`, () => fetch(`${base}/api/v1/query?query=1`).then((r) => (r.ok ? true : undefined), () => undefined), 60_000, 200);
    const pid = proc.pid ?? 0;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await Promise.all(reqs.shards.map(async (shard) => {
      for (const body of shard) await send(`${base}${e.writePath}`, body);
    }));
    const ingestWallS = (performance.now() - t0) / 1000;
    const ingestCpuS = cpuSeconds(pid) - cpu0;
    await waitFor(`${e.name} to answer`, () => ready(base, e.queryParams, endMs).then((ok) => (ok ? true : undefined)), 60_000, 500);
    await delay(5000);
    const rss = rssBytes(pid);
    await delay(Math.max(0, SETTLE_S - 5) * 1000);
    const settledRss = rssBytes(pid);
    const queries: Result['queries'] = {};
    for (const [qname, q] of QUERIES) {
      for (const [rname, rangeMs, stepMs] of RANGES) {
        const times: number[] = [];
        let errors = 0;
        for (let i = 0; i < RUNS; i++) {
          const ms = await timedQuery(base, e, q, rangeMs, stepMs, Math.floor(endMs / 1000));
          if (ms === undefined) errors++;
          else times.push(ms);
        }
        queries[`${qname} ${rname}`] = { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), errors, timesMs: times };
      }
    }
    await stop(proc, 'SIGKILL');
    const r0 = performance.now();
    proc = e.start(dataDir, port);
    await waitFor(`${e.name} to answer after kill -9`, () => ready(base, e.queryParams, endMs).then((ok) => (ok ? true : undefined)), 600_000, 100);
    const restartS = (performance.now() - r0) / 1000;
    const measured = await e.compact(base, dataDir);
    await delay(e === victoriaMetrics ? 10_000 : 0);
    await stop(proc, 'SIGTERM');
    const diskBytes = duBytes(measured);
    return {
      engine: e.name,
      samples: reqs.samples,
      ingestWallS,
      ingestCpuS,
      samplesPerCoreS: reqs.samples / ingestCpuS,
      diskBytes,
      bytesPerSample: diskBytes / reqs.samples,
      rssBytes: rss,
      activeSeries,
      rssPerActiveSeries: rss / activeSeries,
      settledRssBytes: settledRss,
      settledRssPerActiveSeries: settledRss / activeSeries,
      restartS,
      queries,
    };
  } finally {
    await stop(proc, 'SIGKILL');
  }
}

function table(results: readonly Result[]): string {
  const f = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const head = `| | ${results.map((r) => r.engine).join(' | ')} |\n|---|${results.map(() => '---:').join('|')}|\n`;
  const row = (name: string, get: (r: Result) => string): string => `| ${name} | ${results.map(get).join(' | ')} |\n`;
  let out = head;
  out += row('ingest, samples/s per core (CPU of the engine)', (r) => f(r.samplesPerCoreS));
  out += row('ingest wall time, s', (r) => f(r.ingestWallS, 1));
  out += row('disk, bytes/sample after compaction', (r) => f(r.bytesPerSample, 2));
  out += row('RSS per active series 5 s after ingest, bytes', (r) => f(r.rssPerActiveSeries));
  out += row(`RSS per active series after ${SETTLE_S} s idle, bytes`, (r) => f(r.settledRssPerActiveSeries));
  out += row('restart after kill -9 until queries answer, s', (r) => f(r.restartS, 1));
  for (const key of Object.keys(results[0]?.queries ?? {})) {
    out += row(`${key} p50 / p99, ms`, (r) => {
      const q = r.queries[key];
      return q ? `${q.errors > 0 ? `${q.errors} err ` : ''}${f(q.p50Ms, 1)} / ${f(q.p99Ms, 1)}` : '-';
    });
  }
  return out;
}

async function main(): Promise<void> {
  for (const p of [executablePeer('prometheus', 'prometheus'), executablePeer('victoria-metrics', 'victoria-metrics')]) {
    if (!p.ok) throw new Error(`missing peer: ${p.missing ?? ''} (run .ci/peers/tsdb.sh)`);
  }
  const endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS - 60_000;
  const steps = (HOURS * 3_600_000) / STEP_MS;
  const startMs = endMs - (steps - 1) * STEP_MS;
  if (!SCRAPES) throw new Error('node_exporter_scrapes.txt.gz not found: set BENCH_SCRAPES to its path');
  const pool = loadTraces(SCRAPES);
  const series = generateSeries({ pods: PODS, metrics: METRICS, stepMs: STEP_MS, startMs, endMs: endMs + 1 }, pool);
  const reqs = buildRequests(series, startMs, steps);
  const active = series.filter((s) => s.untilMs > endMs).length;
  console.log(`data set: ${PODS} pods × ${METRICS} metrics × 19 labels + __name__, ${HOURS} h at 10 s, 10 %/h pods replaced: ${series.length} series (${active} active), ${reqs.samples} samples, ${reqs.shards.flat().length} requests`);
  const work = mkdtempSync(join(tmpdir(), 'fathom-bench-tsdb-'));
  const results: Result[] = [];
  try {
    for (const e of [fathom, prometheus, victoriaMetrics].filter((x) => ENGINES.length === 0 || ENGINES.includes(x.name.toLowerCase()))) {
      console.log(`— ${e.name}`);
      results.push(await benchEngine(e, work, reqs, active, endMs));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const md = table(results);
  console.log(md);
  const outDir = new URL('../results/', import.meta.url).pathname;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `tsdb-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ pods: PODS, metrics: METRICS, hours: HOURS, series: series.length, active, results }, null, 2));
}

await main();
