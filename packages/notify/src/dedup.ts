/**
 * The de-duplication decision (Alertmanager's notification-log model), pure: given what a channel
 * was last told about a group and what the group holds now, is a notification due?
 */

/** What was last delivered to one channel for one group. */
export interface LogEntry {
  /** Fingerprints of the alerts that were firing in that notification. */
  readonly firing: readonly string[];
  /** Fingerprints of the alerts that were resolved in it. */
  readonly resolved: readonly string[];
  /** When it was delivered, Unix ms. */
  readonly atMs: number;
}

export interface DedupInput {
  readonly entry: LogEntry | undefined;
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  readonly sendResolved: boolean;
  readonly repeatIntervalMs: number;
  readonly nowMs: number;
}

/**
 * True when the channel must be notified: a first notification with firing alerts; an alert it was
 * not told about is firing; everything it was told about has resolved (always, so the log is
 * cleared); with `sendResolved`, an alert it saw firing has resolved; or the repeat interval passed.
 */
export function needsNotification(d: DedupInput): boolean {
  const { entry, firing, resolved } = d;
  if (entry === undefined) return firing.size > 0;
  const told = new Set(entry.firing);
  for (const f of firing) if (!told.has(f)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (d.sendResolved) {
    const toldResolved = new Set(entry.resolved);
    for (const r of resolved) if (!toldResolved.has(r) && told.has(r)) return true;
  }
  return entry.atMs + d.repeatIntervalMs <= d.nowMs;
}
