/**
 * The embedded event store: every event in memory (sorted by `atMs`, bounded), made durable in an
 * append-only log of checksummed JSON lines, segmented so that retention deletes whole files.
 * Format spec: docs/formats/events-v1.md.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { matchesAll } from '@fathom/model';
import type { FathomEvent } from './event.js';
import { parseEvent } from './event.js';
import type { EventQuery, EventStore, EventStoreStats } from './store.js';

export interface FileEventStoreOptions {
  readonly dir: string;
  /** Events older than now − retention are neither kept nor returned. */
  readonly retentionMs: number;
  readonly fsync: 'always' | 'never';
  /** In-memory bound; past it the oldest events are dropped (counted). Default 1,000,000. */
  readonly maxEvents?: number;
  /** A new segment is started past this size. Default 8 MiB. */
  readonly segmentBytes?: number;
  readonly nowMs?: () => number;
}

export interface EventReplayReport {
  readonly segments: number;
  readonly events: number;
  /** One line per problem: segment, byte offset, what was wrong. A bad line ends its segment. */
  readonly problems: readonly string[];
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  maxAtMs: number;
}

const SUFFIX = '.events';

export class FileEventStore implements EventStore {
  /** Sorted by atMs ascending; equal atMs in append order. */
  private readonly _events: FathomEvent[] = [];
  private readonly _segments: Segment[] = [];
  private _fd: number | undefined;
  private _size = 0;
  private _appended = 0;
  private readonly _dropped = { retention: 0, capacity: 0 };
  private readonly _now: () => number;
  private readonly _maxEvents: number;
  private readonly _segmentBytes: number;

  private constructor(private readonly _opts: FileEventStoreOptions) {
    this._now = _opts.nowMs ?? Date.now;
    this._maxEvents = _opts.maxEvents ?? 1_000_000;
    this._segmentBytes = _opts.segmentBytes ?? 8 * 1024 * 1024;
  }

  /** Opens (creating) the store and replays its segments; damaged tails are cut and reported. */
  static open(opts: FileEventStoreOptions): { store: FileEventStore; report: EventReplayReport } {
    const store = new FileEventStore(opts);
    mkdirSync(opts.dir, { recursive: true });
    const report = store._replay();
    store._openTail();
    store.enforceRetention();
    return { store, report };
  }

  append(events: readonly FathomEvent[]): Promise<void> {
    if (this._fd === undefined) return Promise.reject(new Error('event store is closed'));
    const cutoffMs = this._now() - this._opts.retentionMs;
    const kept = events.filter((e) => e.atMs >= cutoffMs);
    this._dropped.retention += events.length - kept.length;
    if (kept.length > 0) {
      const bytes = Buffer.from(kept.map(encodeLine).join(''), 'utf8');
      writeSync(this._fd, bytes);
      if (this._opts.fsync === 'always') fdatasyncSync(this._fd);
      this._size += bytes.length;
      const tail = this._segments[this._segments.length - 1];
      for (const e of kept) {
        if (tail !== undefined) tail.maxAtMs = Math.max(tail.maxAtMs, e.atMs);
        this._insert(e);
      }
      this._appended += kept.length;
      if (this._size >= this._segmentBytes) this._rotate();
    }
    this.enforceRetention();
    return Promise.resolve();
  }

  query(q: EventQuery): Promise<FathomEvent[]> {
    this.enforceRetention();
    const out: FathomEvent[] = [];
    const sets = q.matchers ?? [];
    for (let i = upperBound(this._events, q.endMs) - 1; i >= 0 && out.length < q.limit; i--) {
      const e = this._events[i]!;
      if (e.atMs < q.startMs) break;
      if (sets.length > 0) {
        const view = { type: e.type, reason: e.reason, source: e.source, ...e.labels };
        if (!sets.some((m) => matchesAll(view, m))) continue;
      }
      out.push(e);
    }
    return Promise.resolve(out);
  }

  stats(): EventStoreStats {
    return { events: this._events.length, appendedTotal: this._appended, droppedTotal: { ...this._dropped } };
  }

  /** Drops events past retention from memory and deletes closed segments holding only such events. */
  enforceRetention(): void {
    const cutoffMs = this._now() - this._opts.retentionMs;
    const n = lowerBound(this._events, cutoffMs);
    if (n > 0) this._events.splice(0, n);
    while (this._segments.length > 1 && this._segments[0]!.maxAtMs < cutoffMs) {
      rmSync(this._segments.shift()!.path, { force: true });
    }
  }

  close(): Promise<void> {
    if (this._fd !== undefined) {
      fdatasyncSync(this._fd);
      closeSync(this._fd);
      this._fd = undefined;
    }
    return Promise.resolve();
  }

  private _insert(e: FathomEvent): void {
    const at = upperBound(this._events, e.atMs);
    if (at === this._events.length) this._events.push(e);
    else this._events.splice(at, 0, e);
    if (this._events.length > this._maxEvents) {
      this._events.shift();
      this._dropped.capacity++;
    }
  }

  private _replay(): EventReplayReport {
    const problems: string[] = [];
    const files = readdirSync(this._opts.dir).filter((f) => /^\d{8}\.events$/.test(f)).sort();
    let events = 0;
    files.forEach((f, idx) => {
      const seg: Segment = { seq: Number(f.slice(0, 8)), path: join(this._opts.dir, f), maxAtMs: -Infinity };
      const data = readFileSync(seg.path);
      let offset = 0;
      while (offset < data.length) {
        const nl = data.indexOf(0x0a, offset);
        const problem = nl < 0 ? 'torn line (no newline)' : checkLine(data.subarray(offset, nl));
        if (typeof problem === 'string') {
          problems.push(`${f} at byte ${offset}: ${problem}; the rest of the segment (${data.length - offset} bytes) is dropped`);
          if (idx === files.length - 1) truncateSync(seg.path, offset);
          break;
        }
        seg.maxAtMs = Math.max(seg.maxAtMs, problem.atMs);
        this._insert(problem);
        events++;
        offset = nl + 1;
      }
      this._segments.push(seg);
    });
    return { segments: files.length, events, problems };
  }

  private _openTail(): void {
    const tail = this._segments[this._segments.length - 1];
    if (tail === undefined) return this._rotate();
    this._fd = openSync(tail.path, 'a');
    this._size = readFileSync(tail.path).length;
  }

  private _rotate(): void {
    if (this._fd !== undefined) {
      fdatasyncSync(this._fd);
      closeSync(this._fd);
    }
    const seq = (this._segments[this._segments.length - 1]?.seq ?? 0) + 1;
    const path = join(this._opts.dir, `${String(seq).padStart(8, '0')}${SUFFIX}`);
    this._fd = openSync(path, 'a');
    this._size = 0;
    this._segments.push({ seq, path, maxAtMs: -Infinity });
  }
}

/** `crc32-hex SP json LF`; the checksum covers the JSON bytes. */
function encodeLine(e: FathomEvent): string {
  const json = JSON.stringify(e);
  return `${crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The event of a line, or what is wrong with it. */
function checkLine(line: Buffer): FathomEvent | string {
  if (line.length < 10 || line[8] !== 0x20) return 'malformed line';
  const json = line.subarray(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString('latin1')) return 'checksum mismatch';
  try {
    return parseEvent(JSON.parse(json.toString('utf8')));
  } catch (err) {
    return `invalid event: ${(err as Error).message}`;
  }
}

/** First index whose atMs > t. */
function upperBound(a: readonly FathomEvent[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.atMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose atMs ≥ t. */
function lowerBound(a: readonly FathomEvent[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.atMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
