/**
 * The success body of /api/v1/query and /api/v1/query_range, written as JSON bytes straight from
 * the result's columns.
 *
 * A matrix is most of what the query API sends (a 6 h dashboard line: 400 series × 361 steps, a
 * 4.8 MB body), and building it as objects for `JSON.stringify` made an array and a string per
 * point, all alive until the last one was stringified, then a 4.8 MB string, then its bytes: in
 * the TSDB bench the response path was 60 % of what the query API's allocations left to the old
 * generation (sampled), so of the major GCs that paused the queries after. Here the labels of a
 * series are one `JSON.stringify` each, the points are digits written into one buffer sized from
 * the point count, and values go through {@link formatValue} only when they are not integers.
 *
 * The bytes are the same as `JSON.stringify` of the envelope (tested on every result type): keys
 * in the same order, timestamps as JSON.stringify writes `tMs / 1000`, values as Prometheus' strings.
 */
import type { QueryResult } from '@fathom/query';
import { apiTime, formatValue } from './envelope.js';

/**
 * Below 2^42 ms (year 2109) a double's spacing at tMs / 1000 is under 0.001 / 1000, so the shortest
 * decimal that reads back as tMs / 1000 is sss.mmm with its trailing zeros cut.
 */
const EXACT_TIME_LIMIT_MS = 2 ** 42;

/** Bytes a point takes at most in the common case: `[1733356800.123,"-123456.7890123"],` is ~40. */
const POINT_BYTES_GUESS = 40;

/** `{"status":"success","data":<result>[,"warnings":[…]][,"infos":[…]]}` as UTF-8 bytes. */
export function queryResultJson(r: QueryResult, warnings?: readonly string[], infos?: readonly string[]): Uint8Array<ArrayBuffer> {
  const labelJson = r.resultType === 'matrix' ? r.series.map((s) => JSON.stringify(s.labels)) : r.resultType === 'vector' ? r.samples.map((s) => JSON.stringify(s.labels)) : [];
  const w = new JsonBytes(256 + estimate(r, labelJson));
  w.ascii('{"status":"success","data":{"resultType":"');
  w.ascii(r.resultType);
  w.ascii('","result":');
  switch (r.resultType) {
    case 'scalar':
      w.byte(0x5b);
      w.time(r.tMs);
      w.ascii(',"');
      w.value(r.value);
      w.ascii('"]');
      break;
    case 'string':
      w.byte(0x5b);
      w.time(r.tMs);
      w.byte(0x2c);
      w.utf8(JSON.stringify(r.value));
      w.byte(0x5d);
      break;
    case 'vector':
      w.byte(0x5b);
      r.samples.forEach((s, i) => {
        if (i > 0) w.byte(0x2c);
        w.ascii('{"metric":');
        w.utf8(labelJson[i]!);
        w.ascii(',"value":[');
        w.time(r.tMs);
        w.ascii(',"');
        w.value(s.value);
        w.ascii('"]}');
      });
      w.byte(0x5d);
      break;
    case 'matrix':
      w.byte(0x5b);
      r.series.forEach((s, i) => {
        if (i > 0) w.byte(0x2c);
        w.ascii('{"metric":');
        w.utf8(labelJson[i]!);
        w.ascii(',"values":[');
        w.points(s.samples.tMs, s.samples.values);
        w.ascii(']}');
      });
      w.byte(0x5d);
      break;
  }
  w.byte(0x7d);
  if (warnings?.length) w.utf8(`,"warnings":${JSON.stringify(warnings)}`);
  if (infos?.length) w.utf8(`,"infos":${JSON.stringify(infos)}`);
  w.byte(0x7d);
  return w.bytes();
}

function estimate(r: QueryResult, labelJson: readonly string[]): number {
  let n = 0;
  for (const l of labelJson) n += l.length + 32;
  if (r.resultType === 'matrix') for (const s of r.series) n += s.samples.tMs.length * POINT_BYTES_GUESS;
  if (r.resultType === 'vector') n += r.samples.length * POINT_BYTES_GUESS;
  return n;
}

/** A growing byte buffer with the few JSON writes the result needs. */
class JsonBytes {
  private buf: Buffer<ArrayBuffer>;
  private len = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** A string known to be ASCII (digits, keys, punctuation). */
  ascii(s: string): void {
    this.ensure(s.length);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.len = at;
  }

  /** Any string (label JSON may hold any Unicode). */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** A timestamp as the API writes it: `JSON.stringify(tMs / 1000)` (null when infinite), integer milliseconds without the division. */
  time(tMs: number): void {
    if (!Number.isInteger(tMs) || tMs < 0 || tMs >= EXACT_TIME_LIMIT_MS) return this.ascii(JSON.stringify(apiTime(tMs)));
    // tMs / 1000 is the double nearest sss.mmm, and below the limit no shorter decimal is that near
    const s = Math.floor(tMs / 1000);
    const ms = tMs - s * 1000;
    this.uint(s);
    if (ms !== 0) this.millis(ms);
  }

  /** A sample value as Prometheus writes it ({@link formatValue}); integers without a string. */
  value(v: number): void {
    if (!Number.isSafeInteger(v)) return this.ascii(formatValue(v));
    if (v < 0) {
      this.byte(0x2d);
      v = -v;
    }
    this.uint(v);
  }

  /**
   * `[t,"v"],…` for a series' columns. One loop with the digits written in place: the doubles stay
   * unboxed (a call per time and value boxed each into a heap number, ~3 MB a 6 h query).
   */
  points(tMs: ArrayLike<number>, values: ArrayLike<number>): void {
    for (let j = 0; j < tMs.length; j++) {
      this.ensure(POINT_BYTES_GUESS);
      const buf = this.buf;
      if (j > 0) buf[this.len++] = 0x2c;
      buf[this.len++] = 0x5b;
      const t = tMs[j]!;
      if (Number.isInteger(t) && t >= 0 && t < EXACT_TIME_LIMIT_MS) {
        const s = Math.floor(t / 1000);
        const ms = t - s * 1000;
        this.uint(s);
        if (ms !== 0) this.millis(ms);
      } else this.ascii(JSON.stringify(apiTime(t)));
      this.ascii(',"');
      const v = values[j]!;
      if (Number.isSafeInteger(v)) {
        if (v < 0) this.byte(0x2d);
        this.uint(Math.abs(v));
      } else this.ascii(formatValue(v));
      this.ascii('"]');
    }
  }

  /** `.mmm` without trailing zeros, for 1 ≤ ms ≤ 999. */
  private millis(ms: number): void {
    this.ensure(4);
    const buf = this.buf;
    buf[this.len++] = 0x2e;
    buf[this.len++] = 0x30 + Math.floor(ms / 100);
    if (ms % 100 === 0) return;
    buf[this.len++] = 0x30 + (Math.floor(ms / 10) % 10);
    if (ms % 10 === 0) return;
    buf[this.len++] = 0x30 + (ms % 10);
  }

  /** A non-negative safe integer in decimal. */
  private uint(n: number): void {
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.ensure(digits);
    const buf = this.buf;
    let at = this.len + digits;
    this.len = at;
    do {
      const q = Math.floor(n / 10);
      buf[--at] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.len);
  }
}
