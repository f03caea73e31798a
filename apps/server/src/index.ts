export { FathomServer } from './server.js';
export type { ServerDeps } from './server.js';
