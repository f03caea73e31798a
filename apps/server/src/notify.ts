/**
 * The notification side of the server: the dispatcher (the `AlertSink` the rule evaluator sends
 * to) and the silences store, both under `<dataDir>/notify`.
 */
import { join } from 'node:path';
import type { ServerConfig } from '@fathom/config';
import type { Logger } from '@fathom/kit';
import { createNotifier } from '@fathom/notify';
import type { Dispatcher, SilenceStore } from '@fathom/notify';

export function openNotifier(cfg: ServerConfig, log: Logger, serverUrl: () => string): { dispatcher: Dispatcher; silences: SilenceStore } {
  return createNotifier(cfg.notify, { dir: join(cfg.dataDir, 'notify'), fsync: cfg.fsync === 'always', logger: log, defaultExternalUrl: serverUrl });
}
