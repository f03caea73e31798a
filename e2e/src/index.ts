export { query, rawSamples, startAgent, startServer } from './harness.js';
export type { Running, VectorRow } from './harness.js';
export { FakeKubelet } from './kubelet.js';
