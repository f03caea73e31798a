/** A dispatcher on a fake clock (flushes happen when the test calls `advance`), delivering for real. */
import type { TestContext } from 'node:test';
import { NOOP_LOGGER } from '@fathom/kit';
import { createNotifier } from '../src/index.js';
import type { Alert, Dispatcher, NotifyConfig, SilenceStore } from '../src/index.js';
import { tempDir, waitFor } from '@fathom/testkit';

export const T0 = Date.parse('2026-11-25T12:00:00Z');

export interface Harness {
  readonly dispatcher: Dispatcher;
  readonly silences: SilenceStore;
  readonly dir: string;
  now(): number;
  /** Moves the clock and flushes what is due. */
  advance(ms: number): void;
  /** Waits until every channel's queue is empty and nothing is in flight. */
  idle(): Promise<void>;
  /** Stops the dispatcher (as a server shutdown would). */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly dir?: string;
  readonly startMs?: number;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  /** Real time and a running ticker every `tickMs` instead of the fake clock (for peers that read the clock). */
  readonly realClockTickMs?: number;
}

/** Starts a dispatcher; it is stopped when the test ends (pass or fail). */
export async function startHarness(t: TestContext, cfg: NotifyConfig, o: HarnessOptions = {}): Promise<Harness> {
  const dir = o.dir ?? (await tempDir('fathom-notify-')).path;
  let nowMs = o.startMs ?? T0;
  const { dispatcher, silences } = createNotifier(cfg, {
    dir,
    fsync: false,
    logger: NOOP_LOGGER,
    defaultExternalUrl: 'http://fathom.test:9070',
    tuning: {
      nowMs: () => (o.realClockTickMs !== undefined ? Date.now() : nowMs),
      tickMs: o.realClockTickMs ?? 3_600_000,
      backoff: { initialMs: 5, maxMs: 40, multiplier: 2, jitter: 0.2 },
      timeoutMs: o.timeoutMs ?? 5000,
      ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
    },
  });
  const ac = new AbortController();
  const running = dispatcher.run(ac.signal);
  const idle = async (): Promise<void> => {
    const quiet = (): boolean => [...dispatcher.channelStats().values()].every((c) => c.stats.queueLength === 0 && c.stats.inFlight === 0);
    await waitFor('channels idle', () => Promise.resolve(quiet() ? true : undefined), 20_000, 5);
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    ac.abort();
    stopped ??= running;
    return stopped;
  };
  t.after(stop);
  return {
    dispatcher,
    silences,
    dir,
    now: () => (o.realClockTickMs !== undefined ? Date.now() : nowMs),
    advance: (ms) => {
      nowMs += ms;
      dispatcher.tick();
    },
    idle,
    stop,
  };
}

export function firing(name: string, nowMs: number, extra: Record<string, string> = {}): Alert {
  return { labels: { alertname: name, ...extra }, annotations: { summary: `${name} is firing` }, startsAtMs: T0, endsAtMs: nowMs + 60_000, generatorUrl: `http://fathom.test:9070/?alert=${name}` };
}

export function resolved(name: string, nowMs: number, extra: Record<string, string> = {}): Alert {
  return { ...firing(name, nowMs, extra), endsAtMs: nowMs - 1 };
}

export const TIMING = { groupWaitMs: 1000, groupIntervalMs: 5000, repeatIntervalMs: 3_600_000 } as const;
