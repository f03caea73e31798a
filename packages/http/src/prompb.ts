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

export interface PbTimeSeries {
  readonly labels: PbLabel[];
  /** [timestamp ms, value] pairs in wire order. */
  readonly samples: [number, number][];
  /** Exemplars and native histograms, which Fathom does not store. */
  skipped: number;
  /**
   * The series' label fields exactly as on the wire (latin1), when they are contiguous: an identity
   * for caching. When {@link DecodeBudget.knownLabels} recognised it, `labels` is left empty.
   */
  labelBytes?: string;
}

export interface PbMetadata {
  readonly type: number;
  readonly family: string;
  readonly help: string;
  readonly unit: string;
}

export interface WriteRequest {
  readonly timeseries: PbTimeSeries[];
  readonly metadata: PbMetadata[];
}

export interface DecodeBudget {
  /** Most series one request may carry. */
  readonly maxSeries: number;
  /** Most samples one request may carry. */
  readonly maxSamples: number;
  /** True for label sections (see {@link PbTimeSeries.labelBytes}) whose labels the caller already has. */
  readonly knownLabels?: (labelBytes: string) => boolean;
}

export class RemoteWriteError extends Error {
  override readonly name = 'RemoteWriteError';
}

/** Metric types in `MetricMetadata.type`, by their enum number. */
export const METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

export function decodeWriteRequest(buf: Uint8Array, budget: DecodeBudget): WriteRequest {
  const r = protobuf.Reader.create(buf);
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: WriteRequest = { timeseries: [], metadata: [] };
  let samples = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if (field === 1 && (tag & 7) === 2) {
        const ts = decodeTimeSeries(r, r.uint32(), bytes, budget.knownLabels);
        samples += ts.samples.length;
        if (out.timeseries.length >= budget.maxSeries) throw new RemoteWriteError(`write request has more than ${budget.maxSeries} series`);
        if (samples > budget.maxSamples) throw new RemoteWriteError(`write request has more than ${budget.maxSamples} samples`);
        out.timeseries.push(ts);
      } else if (field === 3 && (tag & 7) === 2) {
        out.metadata.push(decodeMetadata(r, r.uint32()));
      } else {
        r.skipType(tag & 7);
      }
    }
  } catch (err) {
    if (err instanceof RemoteWriteError) throw err;
    throw new RemoteWriteError(`malformed protobuf WriteRequest: ${(err as Error).message}`);
  }
  return out;
}

/** Label fields are located first and decoded only when `known` does not recognise their bytes. */
function decodeTimeSeries(r: protobuf.Reader, length: number, bytes: Buffer, known: ((labelBytes: string) => boolean) | undefined): PbTimeSeries {
  const end = checkedEnd(r, length);
  const ts: PbTimeSeries = { labels: [], samples: [], skipped: 0 };
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
    } else if (field === 2 && (tag & 7) === 2) ts.samples.push(decodeSample(r, r.uint32()));
    else {
      if (field === 3 || field === 4) ts.skipped++;
      r.skipType(tag & 7);
    }
  }
  if (contiguous && first >= 0) ts.labelBytes = bytes.toString('latin1', first, last);
  if (ts.labelBytes === undefined || !known?.(ts.labelBytes)) {
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

function decodeSample(r: protobuf.Reader, length: number): [number, number] {
  const end = checkedEnd(r, length);
  let value = 0;
  let tMs = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 1)) value = r.double();
    else if (tag === ((2 << 3) | 0)) tMs = longToNumber(r.int64());
    else r.skipType(tag & 7);
  }
  return [tMs, value];
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
