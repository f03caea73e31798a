/** Runs services until Ctrl-C or SIGTERM; a second signal exits at once. */
import { runGroup } from '@fathom/kit';
import type { Logger, Service } from '@fathom/kit';

export async function runUntilSignal(services: readonly Service[], logger: Logger): Promise<void> {
  const ac = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.warn('second signal: exiting without a clean stop', { signal: sig });
      process.exit(130);
    }
    logger.info('stopping', { signal: sig });
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runGroup(services, ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
