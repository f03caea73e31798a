/**
 * Decodes Prometheus remote write v1 `WriteRequest` messages (docs/formats/remote-write.md) with
 * protobufjs' wire reader. Only the fields Fathom stores are materialised (labels, float samples,
 * metadata); exemplars and native histograms are counted and skipped. Throws {@link RemoteWriteError}
 * on malformed input.
 */
import protobuf from 'protobufjs/minimal.js';

export interface PbLabel {
  readonly name: string;
  readonly value: string;
}

export interface PbTimeSeries<K = never> {
  readonly labels: PbLabel[];
  /** The series' samples, in wire order, are `[sampleStart, sampleEnd)` of {@link WriteRequest.times}/`values`. */
  sampleStart: number;
  sampleEnd: number;
  /** Exemplars and native histograms, which Fathom does not store. */
  skipped: number;
  /**
   * The series' label fields exactly as on the wire, when they are contiguous: bytes
   * `[labelStart, labelEnd)` of {@link WriteRequest.wire}, an identity for caching; -1 otherwise.
   */
  labelStart: number;
  labelEnd: number;
  /** What {@link DecodeBudget.knownLabels} answered for the label bytes; `labels` is then left empty. */
  known?: K;
}

export interface PbMetadata {
  readonly type: number;
  readonly family: string;
  readonly help: string;
  readonly unit: string;
}

export interface WriteRequest<K = never> {
  /** The decoded message (label bytes of the series refer to it); a view into the caller's buffer, valid while the caller keeps it unchanged. */
  readonly wire: Buffer;
  readonly timeseries: PbTimeSeries<K>[];
  readonly metadata: PbMetadata[];
  /** Every series' sample times (ms) and values, in columns: no object per sample (see {@link PbTimeSeries.sampleStart}). */
  readonly times: Float64Array;
  readonly values: Float64Array;
}

/** Growable sample columns of one request; reusable across requests ({@link DecodeBudget.columns}). */
export class SampleColumns {
  times = new Float64Array(1024);
  values = new Float64Array(1024);
  length = 0;

  get bytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  push(tMs: number, value: number): void {
    if (this.length === this.times.length) {
      const times = new Float64Array(this.length * 2);
      const values = new Float64Array(this.length * 2);
      times.set(this.times);
      values.set(this.values);
      this.times = times;
      this.values = values;
    }
    this.times[this.length] = tMs;
    this.values[this.length++] = value;
  }
}

export interface DecodeBudget<K = never> {
  /** Most series one request may carry. */
  readonly maxSeries: number;
  /** Most samples one request may carry. */
  readonly maxSamples: number;
  /** What the caller already has for a label section (see {@link PbTimeSeries.labelStart}), or undefined: then the labels are decoded. */
  readonly knownLabels?: (wire: Buffer, start: number, end: number) => K | undefined;
  /** Columns to decode samples into (emptied first; the result's `times`/`values` are views into them), else new ones. */
  readonly columns?: SampleColumns;
}

export class RemoteWriteError extends Error {
  override readonly name = 'RemoteWriteError';
}

/** Metric types in `MetricMetadata.type`, by their enum number. */
export const METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

export function decodeWriteRequest<K = never>(buf: Uint8Array, budget: DecodeBudget<K>): WriteRequest<K> {
  const r = protobuf.Reader.create(buf);
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const timeseries: PbTimeSeries<K>[] = [];
  const metadata: PbMetadata[] = [];
  const cols = budget.columns ?? new SampleColumns();
  cols.length = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if (field === 1 && (tag & 7) === 2) {
        const ts = decodeTimeSeries(r, r.uint32(), bytes, budget.knownLabels, cols);
        const samples = cols.length;
        if (timeseries.length >= budget.maxSeries) throw new RemoteWriteError(`write request has more than ${budget.maxSeries} series`);
        if (samples > budget.maxSamples) throw new RemoteWriteError(`write request has more than ${budget.maxSamples} samples`);
        timeseries.push(ts);
      } else if (field === 3 && (tag & 7) === 2) {
        metadata.push(decodeMetadata(r, r.uint32()));
      } else {
        r.skipType(tag & 7);
      }
    }
  } catch (err) {
    if (err instanceof RemoteWriteError) throw err;
    throw new RemoteWriteError(`malformed protobuf WriteRequest: ${(err as Error).message}`);
  }
  return { wire: bytes, timeseries, metadata, times: cols.times.subarray(0, cols.length), values: cols.values.subarray(0, cols.length) };
}

/** Label fields are located first and decoded only when `known` does not recognise their bytes. */
function decodeTimeSeries<K>(r: protobuf.Reader, length: number, bytes: Buffer, known: ((wire: Buffer, start: number, end: number) => K | undefined) | undefined, cols: SampleColumns): PbTimeSeries<K> {
  const end = checkedEnd(r, length);
  const ts: PbTimeSeries<K> = { labels: [], sampleStart: cols.length, sampleEnd: cols.length, skipped: 0, labelStart: -1, labelEnd: -1 };
  const spans: number[] = [];
  let first = -1;
  let last = -1;
  let contiguous = true;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const len = r.uint32();
      checkedEnd(r, len);
      spans.push(r.pos, len);
      if (first < 0) first = at;
      else if (at !== last) contiguous = false;
      r.skip(len);
      last = r.pos;
    } else if (field === 2 && (tag & 7) === 2) decodeSample(r, r.uint32(), cols);
    else {
      if (field === 3 || field === 4) ts.skipped++;
      r.skipType(tag & 7);
    }
  }
  ts.sampleEnd = cols.length;
  if (contiguous && first >= 0) {
    ts.labelStart = first;
    ts.labelEnd = last;
    const k = known?.(bytes, first, last);
    if (k !== undefined) ts.known = k;
  }
  if (ts.known === undefined) {
    const resume = r.pos;
    for (let i = 0; i < spans.length; i += 2) {
      r.pos = spans[i] ?? 0;
      ts.labels.push(decodeLabel(r, spans[i + 1] ?? 0));
    }
    r.pos = resume;
  }
  return ts;
}

function decodeLabel(r: protobuf.Reader, length: number): PbLabel {
  const end = checkedEnd(r, length);
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) name = r.string();
    else if (tag === ((2 << 3) | 2)) value = r.string();
    else r.skipType(tag & 7);
  }
  return { name, value };
}

function decodeSample(r: protobuf.Reader, length: number, cols: SampleColumns): void {
  const end = checkedEnd(r, length);
  let value = 0;
  let tMs = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 1)) value = r.double();
    else if (tag === ((2 << 3) | 0)) tMs = readInt64(r);
    else r.skipType(tag & 7);
  }
  cols.push(tMs, value);
}

/** A varint int64 as a number without a Long object: up to 7 bytes (49 bits) read directly, longer ones through protobufjs. */
function readInt64(r: protobuf.Reader): number {
  const start = r.pos;
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 7 && start + i < r.len; i++) {
    const b = r.buf[start + i] ?? 0;
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      r.pos = start + i + 1;
      return v;
    }
    mul *= 0x80;
  }
  r.pos = start;
  return longToNumber(r.int64());
}

function decodeMetadata(r: protobuf.Reader, length: number): PbMetadata {
  const end = checkedEnd(r, length);
  let type = 0;
  let family = '';
  let help = '';
  let unit = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 0)) type = r.int32();
    else if (tag === ((2 << 3) | 2)) family = r.string();
    else if (tag === ((4 << 3) | 2)) help = r.string();
    else if (tag === ((5 << 3) | 2)) unit = r.string();
    else r.skipType(tag & 7);
  }
  return { type, family, help, unit };
}

function checkedEnd(r: protobuf.Reader, length: number): number {
  const end = r.pos + length;
  if (end > r.len) throw new RemoteWriteError('malformed protobuf WriteRequest: a field runs past the end of the message');
  return end;
}

function longToNumber(v: number | protobuf.Long): number {
  return typeof v === 'number' ? v : v.high * 4294967296 + (v.low >>> 0);
}

/** Encodes a WriteRequest (for tests, benchmarks and the compliance feeder). */
export function encodeWriteRequest(req: { timeseries: readonly { labels: readonly PbLabel[]; samples: readonly (readonly [number, number])[] }[] }): Uint8Array {
  const w = protobuf.Writer.create();
  for (const ts of req.timeseries) {
    w.uint32((1 << 3) | 2).fork();
    for (const l of ts.labels) w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(l.name).uint32((2 << 3) | 2).string(l.value).ldelim();
    for (const [tMs, v] of ts.samples) w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 1).double(v).uint32((2 << 3) | 0).int64(tMs).ldelim();
    w.ldelim();
  }
  return w.finish();
}
