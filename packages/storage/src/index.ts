export { StorageError } from './interface.js';
export { SampleBuffer } from './sample-buffer.js';
export { ColumnsBuilder, columnsOf, EMPTY_COLUMNS, samplesOf, sliceColumns } from './sample-columns.js';
export { ColumnArena, withArena } from './column-arena.js';
export type { SampleColumns } from './sample-columns.js';
export type {
  Appendable,
  Appender,
  CommitResult,
  Querier,
  Queryable,
  SelectHints,
  SeriesData,
  Storage,
  StorageErrorCode,
  StorageStats,
} from './interface.js';
export { JournaledStorage } from './journaled-storage.js';
export type { JournaledStorageOptions } from './journaled-storage.js';
export { JOURNAL_MAGIC, Journal } from './journal.js';
export type { JournalOptions, JournalSeries, ReplayReport } from './journal.js';
export { MemoryStore } from './memory-store.js';
export type { MemoryStoreLimits, NewSeries, PendingSample } from './memory-store.js';
