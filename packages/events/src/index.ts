export { EVENT_LIMITS, EventValidationError, parseEvent, parseEventsBody } from './event.js';
export type { EventObject, EventSource, EventType, FathomEvent } from './event.js';
export type { EventQuery, EventStore, EventStoreStats } from './store.js';
export { FileEventStore } from './file-store.js';
export type { EventReplayReport, FileEventStoreOptions } from './file-store.js';
