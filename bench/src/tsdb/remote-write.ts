/**
 * A Prometheus remote-write v1 sender: `WriteRequest` protobuf (protobufjs' Writer) compressed with
 * snappy's block format, POSTed with the headers Prometheus sends.
 */
import protobuf from 'protobufjs';
import snappy from 'snappy';

export interface PbSeries {
  readonly labels: readonly (readonly [string, string])[];
  readonly samples: readonly (readonly [tMs: number, value: number])[];
}

/** WriteRequest{ timeseries=1: TimeSeries{ labels=1: Label{name=1,value=2}, samples=2: Sample{value=1 double, timestamp=2 int64} } } */
export function encodeWriteRequest(series: readonly PbSeries[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    for (const [name, value] of s.labels) w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(name).uint32((2 << 3) | 2).string(value).ldelim();
    for (const [t, v] of s.samples) w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 1).double(v).uint32(2 << 3).int64(t).ldelim();
    w.ldelim();
  }
  return w.finish();
}

export function compress(raw: Uint8Array): Buffer {
  return snappy.compressSync(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
}

/** POSTs one request; a connection error (e.g. a keep-alive socket closed by the server) is retried, as Prometheus' sender does. */
export async function send(url: string, body: Buffer, attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await sendOnce(url, body);
    } catch (err) {
      if (!(err instanceof TypeError) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function sendOnce(url: string, body: Buffer): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
  });
  if (res.status >= 300) throw new Error(`remote write to ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer().catch(() => undefined);
}
