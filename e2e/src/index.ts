export { query, rawSamples, startAgent, startServer } from './harness.js';
export type { Running, VectorRow } from './harness.js';
export { FakeKubelet } from './kubelet.js';
export { pushData, writeRequests } from './k8s-data.js';
export type { DataShape } from './k8s-data.js';
export { apiQuery, compareQuery } from './promql-diff.js';
export type { Diff, QueryKind } from './promql-diff.js';
export { DASHBOARD_QUERIES, REFERENCE_QUERIES } from './queries.js';
