/** `fathom up --demo` and `fathom simulate`: the simulated cluster through the real ingest path. */
import { InvalidArgumentError } from 'commander';
import type { DemoDriver, Incident } from '@fathom/demo';
import type { Logger } from '@fathom/kit';
import { parseDurationMs } from '@fathom/model';

export interface DemoOptions {
  readonly nodes?: string;
  readonly seed?: string;
  readonly history?: string;
  readonly interval?: string;
  readonly incident?: readonly string[];
}

export interface DemoDefaults {
  readonly historyMs: number;
  readonly intervalMs: number;
}

/** Parses the demo flags, naming the flag in any error (an InvalidArgumentError, exit 2). */
export async function demoDriver(opts: DemoOptions, serverUrl: string, logger: Logger, defaults: DemoDefaults): Promise<DemoDriver> {
  const { DemoDriver, parseIncident } = await import('@fathom/demo');
  const nodes = intFlag('--nodes', opts.nodes, 12, 1, 5000);
  const seed = intFlag('--seed', opts.seed, 1, 0, 2 ** 31);
  const historyMs = durationFlag('--history', opts.history, defaults.historyMs, true);
  const intervalMs = durationFlag('--interval', opts.interval, defaults.intervalMs, false);
  const nowMs = Date.now();
  let incidents: Incident[] | undefined;
  if (opts.incident && opts.incident.length > 0) {
    try {
      incidents = opts.incident.map((s) => parseIncident(s, nowMs));
    } catch (err) {
      throw new InvalidArgumentError(`--incident: ${(err as Error).message}`);
    }
    if (incidents.some((i) => i.atMs < nowMs - historyMs)) throw new InvalidArgumentError('--incident: an incident is set before the simulated history starts (make --history longer)');
  }
  return new DemoDriver({
    serverUrl, nodes, seed, historyMs, intervalMs, backfillStepMs: Math.max(intervalMs, 30_000), logger,
    ...(incidents ? { incidents } : {}),
    concurrency: 2,
  });
}

function intFlag(flag: string, value: string | undefined, dflt: number, min: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function durationFlag(flag: string, value: string | undefined, dflt: number, zeroOk: boolean): number {
  if (value === undefined) return dflt;
  const ms = value === '0' ? 0 : parseDurationMs(value);
  if (ms === undefined || (!zeroOk && ms === 0)) throw new InvalidArgumentError(`${flag}: expected a duration like 10s or 3h, got "${value}"`);
  return ms;
}
