/** Payload codecs of the WAL's series and samples records (docs/formats/tsdb-wal.md). */
import { labelStrings } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { ByteReader, ByteWriter } from './codec.js';

export interface SeriesRef {
  readonly id: number;
  readonly labels: Labels;
}

export interface SampleRef {
  readonly id: number;
  readonly tMs: number;
  readonly value: number;
}

export function writeLabels(w: ByteWriter, labels: Labels): void {
  const names = Object.keys(labels);
  w.uvarint(names.length);
  for (const name of names) w.string(name).string(labels[name] ?? '');
}

/** Values as the process's shared copies (`labelStrings`): the head keeps the set as decoded. */
export function readLabels(r: ByteReader): Labels {
  const n = r.uvarint();
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const name = r.string();
    out[name] = labelStrings.intern(r.string());
  }
  return labelStrings.adopt(out);
}

export function encodeSeries(series: readonly SeriesRef[]): Buffer {
  return writeSeries(new ByteWriter(), series).finish();
}

/** {@link encodeSeries} appended to `w`. */
export function writeSeries(w: ByteWriter, series: readonly SeriesRef[]): ByteWriter {
  w.uvarint(series.length);
  for (const s of series) writeLabels(w.uvarint(s.id), s.labels);
  return w;
}

export function decodeSeries(payload: Buffer): SeriesRef[] {
  const r = new ByteReader(payload);
  const n = r.uvarint();
  const out: SeriesRef[] = [];
  for (let i = 0; i < n; i++) out.push({ id: r.uvarint(), labels: readLabels(r) });
  return out;
}

/** Samples: count, then per sample series id (uvarint), time (int64), value (raw 64 bits). */
export function encodeSamples(samples: readonly SampleRef[]): Buffer {
  const w = new ByteWriter();
  w.uvarint(samples.length);
  for (const s of samples) w.uvarint(s.id).int64(s.tMs).float64(s.value);
  return w.finish();
}

/** {@link encodeSamples} from columns, without an object per sample. */
export function encodeSampleColumns(n: number, id: (k: number) => number, tMs: (k: number) => number, value: (k: number) => number): Buffer {
  return writeSampleColumns(new ByteWriter(), n, id, tMs, value).finish();
}

/** {@link encodeSampleColumns} appended to `w`. */
export function writeSampleColumns(w: ByteWriter, n: number, id: (k: number) => number, tMs: (k: number) => number, value: (k: number) => number): ByteWriter {
  w.uvarint(n);
  for (let k = 0; k < n; k++) w.uvarint(id(k)).int64(tMs(k)).float64(value(k));
  return w;
}

/** Decodes into parallel arrays (a Float64Array keeps NaN payloads such as the stale marker). */
export function decodeSamples(payload: Buffer): { ids: Uint32Array; times: Float64Array; values: Float64Array } {
  const r = new ByteReader(payload);
  const n = r.uvarint();
  const ids = new Uint32Array(n);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = r.uvarint();
    times[i] = r.int64();
    values[i] = r.float64();
  }
  return { ids, times, values };
}
