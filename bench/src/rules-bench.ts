/**
 * Rule evaluation, Fathom vs Debian's Prometheus in the same run over the same data.
 *
 *   npm run bench:rules      (BENCH_RULES=1000 BENCH_PODS=1000 → 100,000 series, BENCH_CYCLES=10)
 *
 * Generates the data set and the rule file (rules-data.ts), starts `fathom server` and
 * `prometheus --web.enable-remote-write-receiver`, remote-writes 10 minutes of history to both,
 * then loads the same rule file into both (Fathom: `PUT /api/fathom/rules/bench.yaml`;
 * Prometheus: rule_files + `POST /-/reload`), groups of 100 rules evaluated every 30 s, and keeps
 * writing live samples every 15 s while it polls both engines' `GET /api/v1/rules` (Prometheus' shape:
 * every group's `evaluationTime` and `lastEvaluation`) for BENCH_CYCLES cycles. Reports the time
 * per cycle (the sum of the groups' last evaluation times) p50/p99, RSS, CPU seconds, and ratios.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, prometheusPeer } from '@fathom/testkit';
import { startChild } from './engine-child.js';
import type { Engine } from './engine-child.js';
import { cpuSeconds, peakRssBytes } from './proc-usage.js';
import { benchSeries, ruleFile, writeBatches } from './rules-data.js';
import type { BenchSeries } from './rules-data.js';
import { compress, encodeWriteRequest, send } from './tsdb/remote-write.js';

const RULES = Number(process.env['BENCH_RULES'] ?? 1000);
const PODS = Number(process.env['BENCH_PODS'] ?? 1000);
const CYCLES = Number(process.env['BENCH_CYCLES'] ?? 10);
const INTERVAL_S = 30;
const SCRAPE_MS = 15_000;
const HISTORY_MS = 10 * 60_000;
const BIN = fileURLToPath(new URL('../../bin/fathom.js', import.meta.url));

interface GroupEval {
  readonly group: string;
  readonly atMs: number;
  readonly seconds: number;
}

async function push(engines: readonly Engine[], series: readonly BenchSeries[], times: readonly number[]): Promise<void> {
  for (const batch of writeBatches(series, times)) {
    const body = compress(encodeWriteRequest(batch));
    await Promise.all(engines.map((e) => sendRetrying(`${e.url}/api/v1/write`, body)));
  }
}

/** Like Prometheus' remote write, retries a failed send (a kept-alive connection the server closed while busy evaluating). */
async function sendRetrying(url: string, body: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(url, body);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** The groups' last evaluations as `GET /api/v1/rules` reports them. */
async function groupEvals(e: Engine): Promise<GroupEval[]> {
  const res = await fetch(`${e.url}/api/v1/rules?type=alert`).catch(() => undefined);
  if (!res?.ok) return [];
  const body = (await res.json()) as { data?: { groups?: { name: string; evaluationTime?: number; lastEvaluation?: string }[] } };
  return (body.data?.groups ?? [])
    .filter((g) => g.lastEvaluation !== undefined && !g.lastEvaluation.startsWith('0001'))
    .map((g) => ({ group: g.name, atMs: Date.parse(g.lastEvaluation ?? ''), seconds: g.evaluationTime ?? NaN }));
}

/** Active alerts by state (`GET /api/v1/alerts`): both engines should report about the same. */
async function alertCounts(e: Engine): Promise<Record<string, number>> {
  const res = await fetch(`${e.url}/api/v1/alerts`).catch(() => undefined);
  const body = res?.ok ? ((await res.json()) as { data?: { alerts?: { state: string }[] } }) : {};
  const out: Record<string, number> = {};
  for (const a of body.data?.alerts ?? []) out[a.state] = (out[a.state] ?? 0) + 1;
  return out;
}

function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** Per engine: each group's evaluations (deduplicated by time), then cycle k = the k-th evaluation of every group, in ms. */
function cycles(evals: readonly GroupEval[]): number[] {
  const byGroup = new Map<string, Map<number, number>>();
  for (const e of evals) {
    const m = byGroup.get(e.group) ?? new Map<number, number>();
    m.set(e.atMs, e.seconds);
    byGroup.set(e.group, m);
  }
  // The first evaluation seen may have overlapped the history upload: dropped.
  const lists = [...byGroup.values()].map((m) => [...m.entries()].sort(([a], [b]) => a - b).map(([, s]) => s).slice(1));
  const n = Math.min(...lists.map((l) => l.length));
  return Array.from({ length: Number.isFinite(n) ? n : 0 }, (_, k) => lists.reduce((sum, l) => sum + (l[k] ?? 0), 0) * 1000);
}

async function main(): Promise<void> {
  const peer = prometheusPeer();
  if (!peer.ok) throw new Error(`missing peer: ${peer.missing ?? ''} (run .ci/setup-peers.sh)`);
  const work = mkdtempSync(join(tmpdir(), 'fathom-bench-rules-'));
  const rulesDir = join(work, 'rules');
  mkdirSync(rulesDir);
  const engines: Engine[] = [];
  try {
    const fp = await freePort();
    writeFileSync(join(work, 'fathom.yaml'), `server:\n  rules: { dir: ${rulesDir}, evaluationIntervalMs: ${INTERVAL_S}s }\n  alertLibrary: { enabled: false }\n`);
    engines.push(await startChild('fathom', process.execPath, [BIN, 'server', '--port', String(fp), '--data-dir', join(work, 'fathom'), '--config', join(work, 'fathom.yaml'), '--log-level', 'warn'], `http://127.0.0.1:${fp}`));
    const pp = await freePort();
    const promConfig = join(work, 'prometheus.yml');
    writeFileSync(promConfig, `global: { evaluation_interval: ${INTERVAL_S}s }\n`);
    engines.push(await startChild('prometheus', 'prometheus', [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(work, 'prom')}`, `--web.listen-address=127.0.0.1:${pp}`, '--web.enable-remote-write-receiver', '--web.enable-lifecycle', '--log.level=warn'], `http://127.0.0.1:${pp}`));

    const series = benchSeries({ pods: PODS, intervalMs: SCRAPE_MS });
    const nowMs = Math.floor(Date.now() / SCRAPE_MS) * SCRAPE_MS;
    const history = Array.from({ length: HISTORY_MS / SCRAPE_MS }, (_, k) => nowMs - HISTORY_MS + k * SCRAPE_MS);
    const t0 = Date.now();
    for (let k = 0; k < history.length; k += 8) await push(engines, series, history.slice(k, k + 8));
    console.log(`data: ${series.length} series, ${history.length} samples each as history, pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${RULES} rules`);
    // The rules start once the history is in: Fathom through its rules API, Prometheus by a reload.
    const rules = ruleFile(RULES, INTERVAL_S);
    writeFileSync(join(work, 'bench.yaml'), rules);
    writeFileSync(promConfig, `global: { evaluation_interval: ${INTERVAL_S}s }\nrule_files: [${join(work, 'bench.yaml')}]\n`);
    const reload = await fetch(`${engines[1]?.url ?? ''}/-/reload`, { method: 'POST' });
    const put = await fetch(`${engines[0]?.url ?? ''}/api/fathom/rules/bench.yaml`, { method: 'PUT', body: rules });
    if (!reload.ok || !put.ok) throw new Error(`loading the rules: prometheus ${reload.status}, fathom ${put.status} ${await put.text()}`);

    const evals: Record<string, GroupEval[]> = { fathom: [], prometheus: [] };
    const cpu0 = Object.fromEntries(engines.map((e) => [e.name, cpuSeconds(e.child.pid ?? 0)]));
    const rss: Record<string, number[]> = { fathom: [], prometheus: [] };
    const startMs = Date.now();
    let nextWriteMs = Math.ceil(Date.now() / SCRAPE_MS) * SCRAPE_MS;
    while (Date.now() - startMs < (CYCLES + 1) * INTERVAL_S * 1000) {
      if (Date.now() >= nextWriteMs) {
        await push(engines, series, [nextWriteMs]);
        nextWriteMs += SCRAPE_MS;
      }
      for (const e of engines) {
        evals[e.name]?.push(...(await groupEvals(e)));
        rss[e.name]?.push(rssBytes(e.child.pid ?? 0));
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const wallS = (Date.now() - startMs) / 1000;
    const result: Record<string, unknown> = { shape: { series: series.length, rules: RULES, groups: Math.ceil(RULES / 100), intervalS: INTERVAL_S, cycles: CYCLES } };
    for (const e of engines) {
      const c = cycles(evals[e.name] ?? []).sort((a, b) => a - b);
      const r = (rss[e.name] ?? []).sort((a, b) => a - b);
      result[e.name] = {
        cyclesMeasured: c.length,
        cycleP50Ms: round(percentile(c, 50)),
        cycleP99Ms: round(percentile(c, 99)),
        rssMedianMiB: round(percentile(r, 50) / 2 ** 20),
        peakRssMiB: round(peakRssBytes(e.child.pid ?? 0) / 2 ** 20),
        cpuSecondsPerMinute: round(((cpuSeconds(e.child.pid ?? 0) - (cpu0[e.name] ?? 0)) / wallS) * 60),
        activeAlerts: await alertCounts(e),
      };
    }
    const f = result['fathom'] as Record<string, number>;
    const p = result['prometheus'] as Record<string, number>;
    result['ratios'] = { cycleP50: round((f['cycleP50Ms'] ?? NaN) / (p['cycleP50Ms'] ?? NaN)), cycleP99: round((f['cycleP99Ms'] ?? NaN) / (p['cycleP99Ms'] ?? NaN)), rssMedian: round((f['rssMedianMiB'] ?? NaN) / (p['rssMedianMiB'] ?? NaN)) };
    console.log(JSON.stringify(result, null, 2));
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `rules-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    for (const e of engines) e.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
