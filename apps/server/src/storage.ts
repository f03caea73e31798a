/**
 * Opens the configured storage engine. `tsdb` (default) is the time-series engine; a journal left
 * by the earlier `journal` engine in the same data directory is imported once on first start
 * (then renamed `journal.imported`), so switching engines loses nothing.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '@fathom/config';
import type { Logger } from '@fathom/kit';
import { JournaledStorage } from '@fathom/storage';
import type { Storage } from '@fathom/storage';
import { TsdbStorage } from '@fathom/tsdb';

export interface OpenedStorage {
  readonly storage: Storage;
  /** Drops data past retention (and GCs series). Called periodically. */
  applyRetention(): { samplesDropped: number };
}

export async function openStorage(cfg: ServerConfig, log: Logger): Promise<OpenedStorage> {
  if (cfg.storage.engine === 'journal') return openJournal(cfg, log);
  const tsdb = TsdbStorage.open({
    dataDir: cfg.dataDir,
    fsync: cfg.fsync,
    retentionMs: cfg.retentionMs,
    outOfOrderWindowMs: cfg.storage.outOfOrderWindowMs,
    walSegmentBytes: cfg.storage.walSegmentBytes,
    checkpointEveryBytes: cfg.storage.checkpointEveryBytes,
    idleCheckpointMs: cfg.storage.idleCheckpointMs,
    blockRangeMs: cfg.storage.blockRangeMs,
    maxQueuedSamples: cfg.storage.maxQueuedSamples,
    tiers: cfg.storage.tiers,
    // cuts and compaction at open would delay the first answers after a restart; the retention loop and ingest run them
    deferMaintenance: true,
    ...cfg.limits,
  });
  const r = tsdb.openReport;
  log.info('tsdb opened', { dataDir: cfg.dataDir, blocks: r.blocks, checkpointSeries: r.checkpointSeries, walSegments: r.walSegments, walRecords: r.walRecords, series: tsdb.stats().series, openMs: Math.round(r.openMs) });
  for (const problem of r.problems) log.warn('tsdb damage found and skipped', { problem });
  let reportedDamage = tsdb.blockStatus().problems.length;
  await importJournal(cfg, tsdb, log);
  return {
    storage: tsdb,
    applyRetention: () => {
      const out = tsdb.applyRetention();
      if (tsdb.lastCheckpointError) log.warn('tsdb checkpoint failed', { error: tsdb.lastCheckpointError });
      if (tsdb.lastBlockError) log.warn('tsdb block write failed', { error: tsdb.lastBlockError });
      const damaged = tsdb.blockStatus().problems;
      for (const problem of damaged.slice(reportedDamage)) log.warn('tsdb damage found and skipped', { problem });
      reportedDamage = damaged.length;
      return out;
    },
  };
}

function openJournal(cfg: ServerConfig, log: Logger): OpenedStorage {
  const storage = JournaledStorage.open({ dataDir: cfg.dataDir, fsync: cfg.fsync, retentionMs: cfg.retentionMs, ...cfg.limits });
  const report = storage.replayReport;
  log.info('journal storage opened', { dataDir: cfg.dataDir, segments: report.segments, records: report.records, series: storage.stats().series });
  for (const problem of report.problems) log.warn('journal damage found and skipped', { problem });
  return { storage, applyRetention: () => storage.applyRetention() };
}

async function importJournal(cfg: ServerConfig, tsdb: TsdbStorage, log: Logger): Promise<void> {
  const dir = join(cfg.dataDir, 'journal');
  if (!existsSync(dir)) return;
  const journal = JournaledStorage.open({ dataDir: cfg.dataDir, fsync: cfg.fsync, retentionMs: cfg.retentionMs, maxSeries: Number.MAX_SAFE_INTEGER, maxSeriesPerMetric: Number.MAX_SAFE_INTEGER });
  const all = await (await journal.querier(0, Number.MAX_SAFE_INTEGER)).select([]);
  await journal.close();
  let accepted = 0;
  let rejected = 0;
  for (const series of all) {
    const app = tsdb.appender();
    const { tMs, values } = series.samples;
    for (let i = 0; i < tMs.length; i++) app.append(series.labels, tMs[i]!, values[i]!);
    const r = await app.commit();
    accepted += r.accepted;
    rejected += r.rejected;
  }
  await tsdb.checkpoint();
  renameSync(dir, join(cfg.dataDir, 'journal.imported'));
  log.info('imported the journal of the earlier storage engine', { series: all.length, accepted, rejected, movedTo: 'journal.imported' });
}
