export type { SendResult, Sink } from './sink.js';
export { HttpSink } from './http-sink.js';
export { DiskSpool, SPOOL_MAGIC } from './disk-spool.js';
export type { SpoolEntry, SpoolStats } from './disk-spool.js';
export { Forwarder } from './forwarder.js';
export type { ForwarderOptions, ForwarderStats } from './forwarder.js';
