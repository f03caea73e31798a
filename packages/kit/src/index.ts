export { runGroup, sleep, untilAborted } from './service.js';
export type { Service } from './service.js';
export { DEFAULT_BACKOFF, backoffDelayMs } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { NOOP_LOGGER, createLogger } from './logger.js';
export type { LogLevel, Logger } from './logger.js';
export { BoundedQueue } from './bounded-queue.js';
export { Wakeup } from './wakeup.js';
export { fsyncDirSync, writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';
