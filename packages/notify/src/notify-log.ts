/**
 * The notification log on disk, `<dir>/notify-log.jsonl` (docs/formats/notify-state-v1.md): one
 * JSON line per change — an entry delivered, or an entry cleared — appended (and fdatasynced)
 * right after each delivery, so a restart re-sends nothing that was delivered. Replayed in order at
 * open; a damaged line ends the replay there (reported, the rest is cut). Rewritten compactly when
 * the appended lines outnumber the live entries by far.
 */
import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from './dedup.js';
import { writeJsonLinesAtomic } from './state-file.js';

export const NOTIFY_LOG_FORMAT_VERSION = 1;

export interface StoredLogEntry extends LogEntry {
  readonly channel: string;
  readonly groupKey: string;
}

type Line = { readonly v: 1; readonly op: 'set'; readonly e: StoredLogEntry } | { readonly v: 1; readonly op: 'clear'; readonly channel: string; readonly groupKey: string };

export function logKey(channel: string, groupKey: string): string {
  return `${channel}\u0000${groupKey}`;
}

export class NotifyLogFile {
  private readonly _entries = new Map<string, StoredLogEntry>();
  private readonly _path: string;
  private _fd: number;
  private _lines = 0;
  /** Problems found at open (a damaged tail), for a warning. */
  readonly problems: string[] = [];

  constructor(
    dir: string,
    private readonly _fsync: boolean,
  ) {
    mkdirSync(dir, { recursive: true });
    this._path = join(dir, 'notify-log.jsonl');
    this._replay();
    this._fd = openSync(this._path, 'a');
  }

  get(channel: string, groupKey: string): StoredLogEntry | undefined {
    return this._entries.get(logKey(channel, groupKey));
  }

  /** Records a delivery; an entry with no firing alert clears the group's entry. Durable on return. */
  record(e: StoredLogEntry): void {
    const key = logKey(e.channel, e.groupKey);
    if (e.firing.length === 0) {
      if (!this._entries.delete(key)) return;
      this._append({ v: 1, op: 'clear', channel: e.channel, groupKey: e.groupKey });
    } else {
      this._entries.set(key, e);
      this._append({ v: 1, op: 'set', e });
    }
  }

  close(): void {
    closeSync(this._fd);
  }

  private _append(line: Line): void {
    writeSync(this._fd, `${JSON.stringify(line)}\n`);
    if (this._fsync) fdatasyncSync(this._fd);
    if (++this._lines > Math.max(1000, 4 * this._entries.size)) this._compact();
  }

  private _compact(): void {
    closeSync(this._fd);
    const lines: Line[] = [...this._entries.values()].map((e) => ({ v: 1, op: 'set', e }));
    writeJsonLinesAtomic(this._path, lines, this._fsync);
    this._lines = lines.length;
    this._fd = openSync(this._path, 'a');
  }

  private _replay(): void {
    let text: string;
    try {
      text = readFileSync(this._path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let offset = 0;
    for (const raw of text.split('\n')) {
      if (raw === '') {
        offset += 1;
        continue;
      }
      const line = parseLine(raw);
      if (!line) {
        this.problems.push(`${this._path}: damaged line at byte ${offset}; the log is cut there`);
        const fd = openSync(this._path, 'r+');
        ftruncateSync(fd, offset);
        closeSync(fd);
        break;
      }
      if (line.op === 'set') this._entries.set(logKey(line.e.channel, line.e.groupKey), line.e);
      else this._entries.delete(logKey(line.channel, line.groupKey));
      this._lines++;
      offset += Buffer.byteLength(raw) + 1;
    }
  }
}

function parseLine(raw: string): Line | undefined {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const l = o as { v?: unknown; op?: unknown; e?: unknown; channel?: unknown; groupKey?: unknown };
  if (l.v !== NOTIFY_LOG_FORMAT_VERSION) return undefined;
  if (l.op === 'clear') return typeof l.channel === 'string' && typeof l.groupKey === 'string' ? { v: 1, op: 'clear', channel: l.channel, groupKey: l.groupKey } : undefined;
  if (l.op !== 'set') return undefined;
  const e = l.e as Partial<Record<keyof StoredLogEntry, unknown>> | null;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!e || typeof e.channel !== 'string' || typeof e.groupKey !== 'string' || !strings(e.firing) || !strings(e.resolved) || typeof e.atMs !== 'number') return undefined;
  return { v: 1, op: 'set', e: { channel: e.channel, groupKey: e.groupKey, firing: e.firing, resolved: e.resolved, atMs: e.atMs } };
}
