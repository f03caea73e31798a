export { query, rawSamples, startAgent, startServer } from './harness.js';
export type { Running, VectorRow } from './harness.js';
export { uiDir } from './harness.js';
export { artifactsDir, chromiumPeer, CHROMIUM_PATH, launchBrowser } from './browser.js';
export type { Browser } from './browser.js';
