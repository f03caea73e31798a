/**
 * Agent overhead while 50 containers run, side by side with Debian's prometheus-node-exporter
 * (host metrics only, scraped at the same interval) in the same run. Fathom's server and agent
 * start through bin/fathom, as users start them.
 *
 *   npm run bench:agent            (BENCH_SECONDS=120 BENCH_CONTAINERS=50 BENCH_INTERVAL=10s)
 *
 * Reports CPU seconds per minute and peak RSS of each process, the series each produces per
 * cycle, and the ratios. Results go to stdout and bench/results/agent-overhead-<timestamp>.json.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { dockerPeer, executablePeer, freePort, waitFor } from '@fathom/testkit';
import { FATHOM_LAUNCHER, fathomEnv } from './engine-child.js';
import { cpuSeconds, peakRssBytes } from './proc-usage.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 120);
const CONTAINERS = Number(process.env['BENCH_CONTAINERS'] ?? 50);
const INTERVAL = process.env['BENCH_INTERVAL'] ?? '10s';
const INTERVAL_MS = Number(/^(\d+)s$/.exec(INTERVAL)?.[1] ?? 10) * 1000;
const WARMUP_MS = 2 * INTERVAL_MS + 2000;
const IMAGE = 'fathom-busybox:latest';

interface Measured {
  readonly cpuSecondsPerMinute: number;
  readonly peakRssMiB: number;
  readonly seriesPerCycle: number;
}

async function main(): Promise<void> {
  const docker = await dockerPeer();
  const ne = executablePeer('prometheus-node-exporter', 'prometheus-node-exporter');
  for (const p of [docker, ne]) if (!p.ok) throw new Error(`missing peer: ${p.missing ?? ''} (run .ci/setup-peers.sh)`);
  const work = mkdtempSync(join(tmpdir(), 'fathom-bench-'));
  const children: ChildProcess[] = [];
  const containers = await startContainers(CONTAINERS);
  try {
    const serverPort = await freePort();
    const agentPort = await freePort();
    const nePort = await freePort();
    children.push(spawn(FATHOM_LAUNCHER, ['server', '--port', String(serverPort), '--data-dir', join(work, 'server'), '--log-level', 'warn'], { stdio: 'inherit', env: fathomEnv() }));
    const agent = spawn(FATHOM_LAUNCHER, ['agent', '--server', `http://127.0.0.1:${serverPort}`, '--interval', INTERVAL, '--listen', `127.0.0.1:${agentPort}`, '--data-dir', join(work, 'agent'), '--log-level', 'warn'], { stdio: 'inherit', env: fathomEnv() });
    const exporter = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
    children.push(agent, exporter);
    await waitFor('agent metrics', () => fetchText(`http://127.0.0.1:${agentPort}/metrics`), 30_000, 500);
    await waitFor('node-exporter', () => fetchText(`http://127.0.0.1:${nePort}/metrics`), 30_000, 500);
    const scraper = scrapeEvery(`http://127.0.0.1:${nePort}/metrics`, INTERVAL_MS);
    await delay(WARMUP_MS);
    const start = { agent: cpuSeconds(agent.pid ?? 0), exporter: cpuSeconds(exporter.pid ?? 0), at: performance.now() };
    await delay(SECONDS * 1000);
    const minutes = (performance.now() - start.at) / 60_000;
    const agentText = (await fetchText(`http://127.0.0.1:${agentPort}/metrics`)) ?? '';
    const neText = (await fetchText(`http://127.0.0.1:${nePort}/metrics`)) ?? '';
    scraper.abort();
    const result = {
      fathomAgent: measure(agent.pid ?? 0, start.agent, minutes, Number(/^fathom_agent_series\{[^}]*\} (\d+)/m.exec(agentText)?.[1])),
      nodeExporter: measure(exporter.pid ?? 0, start.exporter, minutes, countSeries(neText)),
    };
    report(result, minutes);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => undefined)));
    await delay(500);
    rmSync(work, { recursive: true, force: true });
  }
}

function measure(pid: number, cpuAtStart: number, minutes: number, series: number): Measured {
  return { cpuSecondsPerMinute: (cpuSeconds(pid) - cpuAtStart) / minutes, peakRssMiB: peakRssBytes(pid) / 1048576, seriesPerCycle: series };
}

function report(r: { fathomAgent: Measured; nodeExporter: Measured }, minutes: number): void {
  const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  const row = (name: string, m: Measured): string =>
    `| ${name.padEnd(24)} | ${m.cpuSecondsPerMinute.toFixed(3).padStart(10)} | ${m.peakRssMiB.toFixed(1).padStart(9)} | ${String(m.seriesPerCycle).padStart(8)} |`;
  const lines = [
    `agent overhead: ${CONTAINERS} containers, interval ${INTERVAL}, measured ${minutes.toFixed(2)} min after ${WARMUP_MS / 1000} s warm-up`,
    '| process                  | CPU s/min  | RSS MiB   | series   |',
    '|--------------------------|------------|-----------|----------|',
    row('fathom agent', r.fathomAgent),
    row('prometheus-node-exporter', r.nodeExporter),
    `ratios fathom/node-exporter: CPU ${ratio(r.fathomAgent.cpuSecondsPerMinute, r.nodeExporter.cpuSecondsPerMinute)}, ` +
      `peak RSS ${ratio(r.fathomAgent.peakRssMiB, r.nodeExporter.peakRssMiB)}, series ${ratio(r.fathomAgent.seriesPerCycle, r.nodeExporter.seriesPerCycle)}; ` +
      `CPU per 1000 series: ${(1000 * r.fathomAgent.cpuSecondsPerMinute / r.fathomAgent.seriesPerCycle).toFixed(3)} vs ${(1000 * r.nodeExporter.cpuSecondsPerMinute / r.nodeExporter.seriesPerCycle).toFixed(3)} s/min`,
  ];
  console.log(lines.join('\n'));
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `agent-overhead-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ containers: CONTAINERS, interval: INTERVAL, minutes, ...r }, null, 2));
}

async function startContainers(n: number): Promise<Docker.Container[]> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const out: Docker.Container[] = [];
  for (let i = 0; i < n; i++) {
    const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '3600'], Labels: { 'fathom.bench': 'agent-overhead' }, HostConfig: { NetworkMode: 'none' } });
    out.push(c);
    await c.start();
  }
  return out;
}

function scrapeEvery(url: string, everyMs: number): AbortController {
  const ac = new AbortController();
  void (async () => {
    while (!ac.signal.aborted) {
      await fetchText(url);
      await delay(everyMs, undefined, { signal: ac.signal }).catch(() => undefined);
    }
  })();
  return ac;
}

async function fetchText(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(url);
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

function countSeries(text: string): number {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

await main();
