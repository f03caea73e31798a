/**
 * The three engines of the TSDB benchmark, each started as its own process on a free port with a
 * fresh data directory: Fathom (`bin/fathom server`, the launcher users start), Debian's prometheus (remote-write receiver on)
 * and Debian's victoria-metrics.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FATHOM_LAUNCHER, fathomEnv } from '../engine-child.js';


export interface Engine {
  readonly name: string;
  readonly writePath: string;
  /** Extra query parameters (VictoriaMetrics: bypass its result cache, as the others have none). */
  readonly queryParams: string;
  start(dataDir: string, port: number): ChildProcess;
  /** Makes the on-disk form final (flush/compaction) and returns the directory to measure. */
  compact(base: string, dataDir: string): Promise<string>;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
}

export const fathom: Engine = {
  name: 'Fathom',
  writePath: '/api/v1/write',
  queryParams: '',
  start: (dataDir, port) => {
    const cfg = join(dataDir, '..', 'fathom.yaml');
    // Alert library off: Prometheus here evaluates no rules either, so both engines only ingest and
    // answer the bench's queries (rule evaluation side by side is bench:rules).
    writeFileSync(cfg, 'server:\n  retentionMs: 8h\n  fsync: always\n  alertLibrary: { enabled: false }\n');
    // Started as users start it: through the launcher (bin/fathom).
    return run(FATHOM_LAUNCHER, ['server', '--config', cfg, '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], fathomEnv());
  },
  // Fathom's compacted form: its blocks plus the checkpoint of the head written on a clean stop (measured after the stop).
  compact: (_base, dataDir) => Promise.resolve(dataDir),
};

export const prometheus: Engine = {
  name: 'Prometheus',
  writePath: '/api/v1/write',
  queryParams: '',
  start: (dataDir, port) => {
    const cfg = join(dataDir, '..', 'prometheus.yml');
    writeFileSync(cfg, 'global:\n  scrape_interval: 1m\n');
    return run('prometheus', [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--web.enable-admin-api',
      '--storage.tsdb.retention.time=30d',
      '--log.level=warn',
    ]);
  },
  // A snapshot writes the head as a compacted block next to the existing blocks.
  compact: async (base, dataDir) => {
    const res = await fetch(`${base}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    const body = (await res.json()) as { data?: { name?: string } };
    if (!body.data?.name) throw new Error(`prometheus snapshot failed: HTTP ${res.status}`);
    return join(dataDir, 'snapshots', body.data.name);
  },
};

export const victoriaMetrics: Engine = {
  name: 'VictoriaMetrics',
  writePath: '/api/v1/write',
  queryParams: '&nocache=1',
  start: (dataDir, port) =>
    run('victoria-metrics', [`-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=1y', '-search.latencyOffset=0s', '-loggerLevel=ERROR']),
  compact: async (base, dataDir) => {
    await fetch(`${base}/internal/force_flush`);
    await fetch(`${base}/internal/force_merge`);
    return dataDir;
  },
};
