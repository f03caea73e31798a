export { dockerPeer, executablePeer, findExecutable, skipUnless } from './peers.js';
export type { PeerCheck } from './peers.js';
export { tempDir, waitFor } from './wait.js';
