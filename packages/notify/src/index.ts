export { alertKey } from './alert.js';
export type { Alert, AlertSink } from './alert.js';
