export { BATCH_CONTENT_TYPE, PROTOCOL_VERSION, sampleCount } from './batch.js';
export type { AgentInfo, Batch, BatchSeries } from './batch.js';
export { DEFAULT_DECODE_LIMITS, decodeBatch, encodeBatch, sampleTuple } from './codec.js';
export type { DecodeLimits } from './codec.js';
export { ProtocolError } from './errors.js';
export type { ProtocolErrorCode } from './errors.js';
