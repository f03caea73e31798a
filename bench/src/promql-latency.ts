/**
 * PromQL latency and memory, Fathom vs Debian's Prometheus in the same run over the same data.
 *
 *   npm run bench:promql            (BENCH_NODES=10 BENCH_PODS=10 BENCH_HISTORY=1h BENCH_ROUNDS=10)
 *
 * Starts `fathom server` and `prometheus --web.enable-remote-write-receiver` as child processes,
 * remote-writes the same Kubernetes-shaped data set (e2e/src/k8s-data.ts) to both, checks they
 * agree on every query, then runs each query of two sets (Fathom's differential reference set and
 * ten Kubernetes dashboard queries) as an instant query and as a 1 h range query at 30 s steps,
 * alternating engines, BENCH_ROUNDS times. Reports p50/p99 latency per set and engine, peak RSS of
 * each process, and the ratios. Results: stdout and bench/results/promql-latency-<timestamp>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_QUERIES, REFERENCE_QUERIES, apiQuery, compareQuery, pushData } from '@fathom/e2e';
import type { QueryKind } from '@fathom/e2e';
import { freePort, prometheusPeer } from '@fathom/testkit';
import { FATHOM_LAUNCHER, fathomEnv, startChild } from './engine-child.js';
import type { Engine } from './engine-child.js';
import { peakRssBytes, percentile } from './proc-usage.js';

const NODES = Number(process.env['BENCH_NODES'] ?? 10);
const PODS = Number(process.env['BENCH_PODS'] ?? 10);
const HISTORY_MS = Number(/^(\d+)h$/.exec(process.env['BENCH_HISTORY'] ?? '1h')?.[1] ?? 1) * 3_600_000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 10);

async function measure(engines: readonly Engine[], queries: readonly string[], kinds: readonly QueryKind[]): Promise<Record<string, { p50Ms: number; p99Ms: number }>> {
  const lat: Record<string, number[]> = { fathom: [], prometheus: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const q of queries) {
      for (const k of kinds) {
        for (const e of r % 2 === 0 ? engines : [...engines].reverse()) {
          const { ms } = await apiQuery(e.url, q, k);
          lat[e.name]?.push(ms);
        }
      }
    }
  }
  const out: Record<string, { p50Ms: number; p99Ms: number }> = {};
  for (const [name, values] of Object.entries(lat)) {
    const sorted = [...values].sort((a, b) => a - b);
    out[name] = { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
  }
  return out;
}

const round = (v: number): number => Math.round(v * 100) / 100;

async function main(): Promise<void> {
  const peer = prometheusPeer();
  if (!peer.ok) throw new Error(`missing peer: ${peer.missing ?? ''} (run .ci/setup-peers.sh)`);
  const work = mkdtempSync(join(tmpdir(), 'fathom-bench-promql-'));
  const engines: Engine[] = [];
  try {
    const fp = await freePort();
    engines.push(await startChild('fathom', FATHOM_LAUNCHER, ['server', '--port', String(fp), '--data-dir', join(work, 'fathom'), '--log-level', 'warn'], `http://127.0.0.1:${fp}`, fathomEnv()));
    const pp = await freePort();
    writeFileSync(join(work, 'prometheus.yml'), 'global: { evaluation_interval: 1m }\n');
    engines.push(
      await startChild('prometheus', 'prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'prom')}`, `--web.listen-address=127.0.0.1:${pp}`, '--web.enable-remote-write-receiver', '--log.level=warn'], `http://127.0.0.1:${pp}`),
    );
    const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    const shape = { nodes: NODES, podsPerNode: PODS, intervalMs: 15_000, historyMs: HISTORY_MS, endMs };
    const pushed = await pushData(engines.map((e) => e.url), shape);
    console.log(`data: ${pushed.series} series, ${Math.floor(HISTORY_MS / 15_000) + 1} samples each, ${pushed.requests} remote-write requests to each engine`);

    const atS = endMs / 1000 - 7.5;
    const kinds: QueryKind[] = [{ kind: 'instant', atS }, { kind: 'range', startS: atS - 3600, endS: atS, stepS: 30 }];
    const fathom = engines[0];
    const prom = engines[1];
    if (!fathom || !prom) throw new Error('engines did not start');
    let agree = 0;
    let total = 0;
    for (const q of [...REFERENCE_QUERIES, ...DASHBOARD_QUERIES]) {
      for (const k of kinds) {
        total++;
        const d = await compareQuery(fathom.url, prom.url, q, k);
        if (d.ok) agree++;
        else console.log(`disagree: ${q} (${k.kind}): ${d.detail ?? ''}`);
      }
    }
    console.log(`reference agreement: ${agree}/${total}`);
    const sets = { reference: await measure(engines, REFERENCE_QUERIES, kinds), dashboards: await measure(engines, DASHBOARD_QUERIES, kinds) };
    const rss = { fathomMiB: peakRssBytes(fathom.child.pid ?? 0) / 2 ** 20, prometheusMiB: peakRssBytes(prom.child.pid ?? 0) / 2 ** 20 };
    const result = {
      shape: { ...shape, series: pushed.series },
      rounds: ROUNDS,
      agreement: `${agree}/${total}`,
      latency: sets,
      ratios: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, { p50: round((v['fathom']?.p50Ms ?? NaN) / (v['prometheus']?.p50Ms ?? NaN)), p99: round((v['fathom']?.p99Ms ?? NaN) / (v['prometheus']?.p99Ms ?? NaN)) }])),
      peakRss: { fathomMiB: round(rss.fathomMiB), prometheusMiB: round(rss.prometheusMiB), ratio: round(rss.fathomMiB / rss.prometheusMiB) },
    };
    console.log(JSON.stringify(result, null, 2));
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `promql-latency-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2));
  } finally {
    for (const e of engines) e.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
