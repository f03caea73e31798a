/**
 * Mute windows (Alertmanager's time intervals): named sets of weekday ranges and times of day in a
 * time zone. A route muted by a window sends nothing while the window is on; what is due is sent
 * at the first flush after it ends. Pure.
 */

/** Minutes after local midnight, `startMinute` inclusive, `endMinute` exclusive (≤ 1440). */
export interface TimeRange {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface TimeInterval {
  /** Local weekdays, 0 = Sunday … 6 = Saturday; empty = every day. */
  readonly weekdays: readonly number[];
  /** Empty = the whole day. */
  readonly times: readonly TimeRange[];
  /** IANA time zone (`Europe/Paris`), default UTC. */
  readonly location: string;
}

export interface MuteWindow {
  readonly name: string;
  /** The window is on when any interval contains the instant. */
  readonly timeIntervals: readonly TimeInterval[];
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * Parses weekday ranges (`monday:friday`, `saturday`) into day numbers; throws naming the bad one.
 *
 * @example parseWeekdays(['monday:wednesday', 'sunday']) // [0, 1, 2, 3]
 */
export function parseWeekdays(ranges: readonly string[]): number[] {
  const days = new Set<number>();
  for (const r of ranges) {
    const [from = '', to = from] = r.toLowerCase().split(':');
    const a = WEEKDAYS.indexOf(from);
    const b = WEEKDAYS.indexOf(to);
    if (a < 0 || b < 0 || b < a) throw new RangeError(`bad weekday range ${JSON.stringify(r)}: expected e.g. "monday:friday" or "saturday"`);
    for (let d = a; d <= b; d++) days.add(d);
  }
  return [...days].sort((x, y) => x - y);
}

/** Parses `HH:MM` (00:00 … 24:00) into minutes after midnight. */
export function parseTimeOfDay(text: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!Number.isFinite(minutes) || minutes > 1440) throw new RangeError(`bad time of day ${JSON.stringify(text)}: expected HH:MM from 00:00 to 24:00`);
  return minutes;
}

/** Throws a RangeError for a time zone the runtime does not know. */
export function checkTimeZone(location: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: location });
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(location)}: expected an IANA name like "Europe/Paris"`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Sunday) and minute of day of `atMs` in `location`. */
export function localTime(atMs: number, location: string): { weekday: number; minute: number } {
  let f = formatters.get(location);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: location, hourCycle: 'h23', weekday: 'long', hour: '2-digit', minute: '2-digit' });
    formatters.set(location, f);
  }
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(atMs)) {
    if (p.type === 'weekday') weekday = WEEKDAYS.indexOf(p.value.toLowerCase());
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { weekday, minute: hour * 60 + minute };
}

/** True when `atMs` lies in the interval. */
export function inTimeInterval(interval: TimeInterval, atMs: number): boolean {
  const t = localTime(atMs, interval.location);
  if (interval.weekdays.length > 0 && !interval.weekdays.includes(t.weekday)) return false;
  if (interval.times.length === 0) return true;
  return interval.times.some((r) => t.minute >= r.startMinute && t.minute < r.endMinute);
}

/** True when any interval of the window contains `atMs`. */
export function inMuteWindow(window: MuteWindow, atMs: number): boolean {
  return window.timeIntervals.some((i) => inTimeInterval(i, atMs));
}
