/**
 * Rule evaluation, Fathom vs Debian's Prometheus in the same run over the same data.
 *
 *   npm run bench:rules      (BENCH_RULES=1000 BENCH_PODS=1000 → 100,000 series, BENCH_CYCLES=10)
 *
 * Generates the data set and the rule file (rules-data.ts), starts `fathom server` and
 * `prometheus --web.enable-remote-write-receiver`, remote-writes 10 minutes of history to both,
 * then loads the same rule file into both (Fathom: `PUT /api/fathom/rules/bench.yaml`;
 * Prometheus: rule_files + `POST /-/reload`), groups of 100 rules evaluated every 30 s. For
 * BENCH_CYCLES + 1 intervals it then keeps writing live samples every 15 s (each engine fed on its
 * own, every request's acknowledgement timed), probes each engine's API every 0.5 s from a worker
 * thread (`GET /api/v1/query?query=up`), and polls `/metrics` (every group's last evaluation
 * time and duration, as both engines export them), RSS and CPU. At the end: missed iterations from
 * `/metrics`, both engines' active alerts, one report table (rules-report.ts), kept as JSON in
 * bench/results/. Fathom starts through `bin/fathom`, as users start it; `BENCH_FATHOM_NODE_ARGS`
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) reach its node through NODE_OPTIONS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { freePort, prometheusPeer } from '@fathom/testkit';
import { FATHOM_LAUNCHER, fathomEnv, startChild } from './engine-child.js';
import type { Engine } from './engine-child.js';
import { cpuSeconds, peakRssBytes, percentile, rssBytes } from './proc-usage.js';
import { benchSeries, ruleFile, writeBatches } from './rules-data.js';
import type { BenchSeries } from './rules-data.js';
import type { ProbeInput, ProbeResult } from './rules-probe.js';
import { activeSet, alertSets, cycles, latency, onlyIn, perGroup, reportTable } from './rules-report.js';
import type { AlertSets, EngineFigures, GroupEval } from './rules-report.js';
import { compress, encodeWriteRequest, send } from './tsdb/remote-write.js';

const RULES = Number(process.env['BENCH_RULES'] ?? 1000);
const PODS = Number(process.env['BENCH_PODS'] ?? 1000);
const CYCLES = Number(process.env['BENCH_CYCLES'] ?? 10);
// Through the launcher, so as NODE_OPTIONS: node flags it allows there (--cpu-prof, --heap-prof, --max-old-space-size…).
const FATHOM_NODE_ARGS = (process.env['BENCH_FATHOM_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const nodeOptions = (args: readonly string[]): Record<string, string> =>
  args.length === 0 ? {} : { NODE_OPTIONS: [process.env['NODE_OPTIONS'] ?? '', ...args].join(' ').trim() };
/** Extra `server.rules` settings for Fathom, e.g. `sharedSelectionsMaxSamples: 0` (YAML flow-map entries). */
const FATHOM_RULES = process.env['BENCH_FATHOM_RULES'] ? `, ${process.env['BENCH_FATHOM_RULES']}` : '';
const INTERVAL_S = 30;
const SCRAPE_MS = 15_000;
const HISTORY_MS = 10 * 60_000;
const PROBE_PATH = '/api/v1/query?query=up';

type Name = Engine['name'];

/** Sends one request, retried on failure like Prometheus' remote write; resolves with the last attempt's latency (ms) or the error. */
async function sendTimed(url: string, body: Buffer): Promise<number | Error> {
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    try {
      await send(url, body);
      return performance.now() - t0;
    } catch (err) {
      if (attempt >= 5) return err as Error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function pushHistory(engines: readonly Engine[], series: readonly BenchSeries[], times: readonly number[]): Promise<void> {
  for (const batch of writeBatches(series, times)) {
    const body = compress(encodeWriteRequest(batch));
    const r = await Promise.all(engines.map((e) => sendTimed(`${e.url}/api/v1/write`, body)));
    const failed = r.find((x) => x instanceof Error);
    if (failed) throw failed;
  }
}

/** Live samples: each engine fed from its own queue of encoded requests, so one engine's slow acknowledgements do not delay the other's writes. */
class LiveWriter {
  readonly acksMs: Record<Name, number[]> = { fathom: [], prometheus: [] };
  readonly failures: Record<Name, number> = { fathom: 0, prometheus: 0 };
  private readonly _tails = new Map<Name, Promise<void>>();

  constructor(private readonly _engines: readonly Engine[]) {}

  write(series: readonly BenchSeries[], tMs: number): void {
    const bodies = [...writeBatches(series, [tMs])].map((b) => compress(encodeWriteRequest(b)));
    for (const e of this._engines) {
      const tail = (this._tails.get(e.name) ?? Promise.resolve()).then(async () => {
        for (const body of bodies) {
          const r = await sendTimed(`${e.url}/api/v1/write`, body);
          if (r instanceof Error) this.failures[e.name]++;
          else this.acksMs[e.name].push(r);
        }
      });
      this._tails.set(e.name, tail);
    }
  }

  async drain(): Promise<void> {
    await Promise.all(this._tails.values());
  }
}

async function getJson<T>(url: string, timeoutMs = 20_000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** An engine's `/metrics` text ('' when it does not answer in time). */
async function metricsText(e: Engine, timeoutMs = 20_000): Promise<string> {
  try {
    const res = await fetch(`${e.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/** Values of one metric by label set (the text between the braces). */
function metricValues(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const labels = open === name.length ? line.slice(open + 1, line.lastIndexOf('}')) : '';
    out.set(labels, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

const PREFIX: Record<Name, string> = { fathom: 'fathom', prometheus: 'prometheus' };

/**
 * The groups' last evaluations from `/metrics` (both engines export the last evaluation's time
 * and duration per group); cheaper for both than `GET /api/v1/rules`, which lists every alert.
 */
function groupEvals(e: Engine, text: string): GroupEval[] {
  const at = metricValues(text, `${PREFIX[e.name]}_rule_group_last_evaluation_timestamp_seconds`);
  const took = metricValues(text, `${PREFIX[e.name]}_rule_group_last_duration_seconds`);
  return [...at].filter(([, s]) => s > 0).map(([group, s]) => ({ group, atMs: s * 1000, seconds: took.get(group) ?? NaN }));
}

const missedTotal = (e: Engine, text: string): number => [...metricValues(text, `${PREFIX[e.name]}_rule_group_iterations_missed_total`).values()].reduce((a, b) => a + b, 0);

async function activeAlerts(e: Engine): Promise<AlertSets> {
  const body = await getJson<{ data?: { alerts?: { state: string; labels: Record<string, string> }[] } }>(`${e.url}/api/v1/alerts`, 300_000);
  return alertSets(body?.data?.alerts ?? []);
}

function startProbe(engines: readonly Engine[]): { stop(): Promise<ProbeResult[]> } {
  const input: ProbeInput = { targets: engines.map((e) => ({ name: e.name, url: e.url })), path: PROBE_PATH, everyMs: 500, timeoutMs: 30_000 };
  const worker = new Worker(new URL('./rules-probe.js', import.meta.url), { workerData: input });
  const results = new Promise<ProbeResult[]>((resolve, reject) => {
    worker.once('message', (m: ProbeResult[]) => resolve(m));
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      return results;
    },
  };
}

async function startEngines(work: string, rulesDir: string, promConfig: string): Promise<Engine[]> {
  const fp = await freePort();
  // The rule file's alerts make more ALERTS/ALERTS_FOR_STATE series than the default per-metric
  // limit (200,000) at full scale; Prometheus has no such limit, so lift it for a like-for-like run.
  writeFileSync(join(work, 'fathom.yaml'), `server:\n  rules: { dir: ${rulesDir}, evaluationIntervalMs: ${INTERVAL_S}s${FATHOM_RULES} }\n  alertLibrary: { enabled: false }\n  limits: { maxSeries: 10000000, maxSeriesPerMetric: 5000000 }\n`);
  const fathom = await startChild('fathom', FATHOM_LAUNCHER, ['server', '--port', String(fp), '--data-dir', join(work, 'fathom'), '--config', join(work, 'fathom.yaml'), '--log-level', 'warn'], `http://127.0.0.1:${fp}`, fathomEnv(nodeOptions(FATHOM_NODE_ARGS)));
  const pp = await freePort();
  writeFileSync(promConfig, `global: { evaluation_interval: ${INTERVAL_S}s }\n`);
  const prometheus = await startChild('prometheus', 'prometheus', [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(work, 'prom')}`, `--web.listen-address=127.0.0.1:${pp}`, '--web.enable-remote-write-receiver', '--web.enable-lifecycle', '--log.level=warn'], `http://127.0.0.1:${pp}`);
  return [fathom, prometheus];
}

async function loadRules(engines: readonly Engine[], work: string, promConfig: string): Promise<void> {
  const rules = ruleFile(RULES, INTERVAL_S);
  writeFileSync(join(work, 'bench.yaml'), rules);
  writeFileSync(promConfig, `global: { evaluation_interval: ${INTERVAL_S}s }\nrule_files: [${join(work, 'bench.yaml')}]\n`);
  const [fathom, prometheus] = engines;
  const reload = await fetch(`${prometheus?.url ?? ''}/-/reload`, { method: 'POST' });
  const put = await fetch(`${fathom?.url ?? ''}/api/fathom/rules/bench.yaml`, { method: 'PUT', body: rules });
  if (!reload.ok || !put.ok) throw new Error(`loading the rules: prometheus ${reload.status}, fathom ${put.status} ${await put.text()}`);
}

async function measure(engines: readonly Engine[], series: readonly BenchSeries[]): Promise<Record<string, unknown>> {
  const evals: Record<Name, GroupEval[]> = { fathom: [], prometheus: [] };
  const rss: Record<Name, number[]> = { fathom: [], prometheus: [] };
  const pid = (e: Engine): number => e.child.pid ?? 0;
  const cpu0 = engines.map((e) => cpuSeconds(pid(e)));
  const missed0 = await Promise.all(engines.map(async (e) => missedTotal(e, await metricsText(e, 60_000))));
  const load0 = loadavg();
  const writer = new LiveWriter(engines);
  const probe = startProbe(engines);
  const startMs = Date.now();
  let nextWriteMs = Math.ceil(Date.now() / SCRAPE_MS) * SCRAPE_MS;
  while (Date.now() - startMs < (CYCLES + 1) * INTERVAL_S * 1000) {
    if (Date.now() >= nextWriteMs) {
      writer.write(series, nextWriteMs);
      nextWriteMs += SCRAPE_MS;
    }
    await Promise.all(engines.map(async (e) => {
      evals[e.name].push(...groupEvals(e, await metricsText(e)));
      rss[e.name].push(rssBytes(pid(e)));
    }));
    await new Promise((r) => setTimeout(r, 2000));
  }
  const wallS = (Date.now() - startMs) / 1000;
  const cpu = engines.map((e, i) => cpuSeconds(pid(e)) - (cpu0[i] ?? 0));
  const probes = await probe.stop();
  await writer.drain();
  const load1 = loadavg();
  const missed = (await Promise.all(engines.map(async (e) => missedTotal(e, await metricsText(e, 60_000))))).map((m, i) => m - (missed0[i] ?? 0));
  const alerts = await Promise.all(engines.map((e) => activeAlerts(e)));
  const figures = engines.map((e, i): EngineFigures => {
    const c = cycles(evals[e.name]);
    const r = [...rss[e.name]].sort((a, b) => a - b);
    const pr = probes.find((x) => x.name === e.name);
    const mine = alerts[i] ?? alertSets([]);
    const other = alerts[1 - i] ?? alertSets([]);
    return {
      cyclesMeasured: c.length,
      cycle: latency(c),
      group: latency(perGroup(evals[e.name]).flat()),
      missedIterations: missed[i] ?? NaN,
      rssMedianMiB: percentile(r, 50) / 2 ** 20,
      peakRssMiB: peakRssBytes(pid(e)) / 2 ** 20,
      cpuSecondsPerMinute: ((cpu[i] ?? NaN) / wallS) * 60,
      api: latency(pr?.latenciesMs ?? [], pr?.failures ?? 0),
      ingest: latency(writer.acksMs[e.name], writer.failures[e.name]),
      firing: mine.firing.size,
      pending: mine.pending.size,
      firingOnlyHere: onlyIn(mine.firing, other.firing),
      activeOnlyHere: onlyIn(activeSet(mine), activeSet(other)),
    };
  });
  const [f, p] = figures;
  if (!f || !p) throw new Error('missing figures');
  const shape = { series: series.length, rules: RULES, groups: Math.ceil(RULES / 100), intervalS: INTERVAL_S, cycles: CYCLES, wallS: Math.round(wallS) };
  const load = { start: load0.map((x) => Math.round(x * 100) / 100), end: load1.map((x) => Math.round(x * 100) / 100) };
  console.log(`\n${shape.series} series, ${RULES} rules in ${shape.groups} groups every ${INTERVAL_S} s, ${CYCLES} cycles; load average ${load.start.join(' ')} at start, ${load.end.join(' ')} at the end\n`);
  console.log(reportTable(f, p, PROBE_PATH));
  return { shape, load, fathom: f, prometheus: p };
}

/** SIGTERM, then SIGKILL after 30 s; resolves when the process has exited (Fathom writes its CPU profile on a clean exit). */
async function stopChild(e: Engine): Promise<void> {
  if (e.child.exitCode !== null || e.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => e.child.once('exit', () => r()));
  e.child.kill('SIGTERM');
  const timer = setTimeout(() => e.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const peer = prometheusPeer();
  if (!peer.ok) throw new Error(`missing peer: ${peer.missing ?? ''} (run .ci/setup-peers.sh)`);
  const work = mkdtempSync(join(tmpdir(), 'fathom-bench-rules-'));
  const rulesDir = join(work, 'rules');
  mkdirSync(rulesDir);
  const promConfig = join(work, 'prometheus.yml');
  let engines: Engine[] = [];
  try {
    engines = await startEngines(work, rulesDir, promConfig);
    const series = benchSeries({ pods: PODS, intervalMs: SCRAPE_MS });
    const nowMs = Math.floor(Date.now() / SCRAPE_MS) * SCRAPE_MS;
    const history = Array.from({ length: HISTORY_MS / SCRAPE_MS }, (_, k) => nowMs - HISTORY_MS + k * SCRAPE_MS);
    const t0 = Date.now();
    for (let k = 0; k < history.length; k += 8) await pushHistory(engines, series, history.slice(k, k + 8));
    console.log(`data: ${series.length} series, ${history.length} samples each as history, pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${RULES} rules`);
    // The rules start once the history is in: Fathom through its rules API, Prometheus by a reload.
    await loadRules(engines, work, promConfig);
    const result = await measure(engines, series);
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `rules-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    await Promise.all(engines.map((e) => stopChild(e)));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
