export { TsdbStorage } from './tsdb-storage.js';
export type { OpenReport, TsdbOptions } from './tsdb-storage.js';
export { XorEncoder, decodeXorChunk, xorChunkSamples, ChunkDecodeError, XOR_CHUNK_MAX_SAMPLES } from './chunk/xor-chunk.js';
export { LabelIndex } from './index/label-index.js';
export { Head, BatchState } from './head/head.js';
export type { HeadLimits } from './head/head.js';
export { Wal, WalWriteError, WAL_MAGIC } from './wal/wal.js';
export type { FsyncPolicy, WalOptions, WalReplayReport } from './wal/wal.js';
export { CHECKPOINT_MAGIC } from './wal/checkpoint.js';
