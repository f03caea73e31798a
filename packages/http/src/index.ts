export { createServerApp } from './app.js';
export type { ServerAppDeps } from './app.js';
export { ApiError, formatValue } from './envelope.js';
export type { ErrorType } from './envelope.js';
export { formatResult, promApi } from './prom-api.js';
export { ingestApi } from './ingest.js';
export type { IngestDeps, IngestStats } from './ingest.js';
export { EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT, eventsApi } from './events-api.js';
export type { EventsApiDeps } from './events-api.js';
