import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isStaleMarker, STALE_NAN } from '@fathom/model';
import { ChunkDecodeError, XorEncoder, XorIterator, xorChunkSamples } from '../src/index.js';

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
function hexBits(v: number): string {
  f64[0] = v;
  return Buffer.from(u8).toString('hex');
}

/** Values travel as objects: V8 canonicalises NaN payloads in plain double arrays. */
function encode(samples: readonly { t: number; v: number }[]): Uint8Array {
  const enc = new XorEncoder();
  for (const { t, v } of samples) enc.append(t, v);
  return enc.bytes();
}

function fromBits(hex: string): number {
  u8.set(Buffer.from(hex, 'hex'));
  return f64[0] ?? 0;
}

/** Increasing integer timestamps with deltas from regular (10 s) to jittery to huge jumps. */
const timestamps = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 45 }),
    fc.array(fc.oneof(fc.constant(10_000), fc.integer({ min: 9_000, max: 11_000 }), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 300 }),
  )
  .map(([start, deltas]) => {
    const out = [start];
    for (const d of deltas) out.push((out[out.length - 1] ?? 0) + d);
    return out.filter((t) => t <= Number.MAX_SAFE_INTEGER);
  });

const values = fc.oneof(
  fc.double(),
  fc.constantFrom(STALE_NAN, NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE),
  fc.integer({ min: 0, max: 1e9 }).map((n) => n * 1.0),
  fc.integer({ min: 0, max: 1000 }).map((n) => n / 8),
);

test('XOR chunk: every sample round-trips bit-exactly (property)', () => {
  fc.assert(
    fc.property(timestamps, fc.array(values, { minLength: 301, maxLength: 301 }), (times, vals) => {
      const samples = times.map((t, i) => ({ t, v: vals[i] ?? 0 }));
      const decoded = xorChunkSamples(encode(samples));
      assert.equal(decoded.length, samples.length);
      decoded.forEach((s, i) => {
        assert.equal(s.tMs, samples[i]?.t);
        assert.equal(hexBits(s.value), hexBits(samples[i]?.v ?? 0), `value ${i}`);
      });
    }),
    { numRuns: 300 },
  );
});

test('XOR chunk: an encoder resumed from a chunk\'s bytes continues it bit-exactly (property)', () => {
  fc.assert(
    fc.property(timestamps, fc.array(values, { minLength: 301, maxLength: 301 }), fc.nat(), (times, vals, cut) => {
      const samples = times.map((t, i) => ({ t, v: vals[i] ?? 0 }));
      const k = samples.length === 0 ? 0 : cut % (samples.length + 1);
      const whole = encode(samples);
      const first = encode(samples.slice(0, k));
      const resumed = XorEncoder.resume(first);
      assert.equal(resumed.count, k);
      for (const s of samples.slice(k)) resumed.append(s.t, s.v);
      assert.equal(Buffer.from(resumed.bytes()).toString('hex'), Buffer.from(whole).toString('hex'));
      assert.equal(resumed.byteLength, whole.length);
      if (k > 0) assert.equal(resumed.maxTMs, samples[samples.length - 1]?.t);
    }),
    { numRuns: 300 },
  );
});

test('XOR chunk: resuming a truncated chunk fails with ChunkDecodeError', () => {
  const bytes = encode([1, 2, 3, 4, 5].map((i) => ({ t: i * 1000, v: i * 1.5 })));
  assert.throws(() => XorEncoder.resume(bytes.subarray(0, 8)), ChunkDecodeError);
});

test('XOR chunk: the stale marker keeps its NaN payload', () => {
  const [a, b, c] = xorChunkSamples(encode([{ t: 1000, v: 1 }, { t: 2000, v: STALE_NAN }, { t: 3000, v: NaN }]));
  assert.equal(a?.value, 1);
  assert.ok(isStaleMarker(b?.value ?? 0), 'stale marker survives');
  assert.ok(Number.isNaN(c?.value) && !isStaleMarker(c?.value ?? 0), 'a plain NaN stays a plain NaN');
});

test('XOR chunk: golden bytes (format version 1 must not drift)', () => {
  const golden = JSON.parse(readFileSync(new URL('../../test/testdata/xor-chunk-golden.json', import.meta.url), 'utf8')) as {
    cases: { name: string; samples: [number, string][]; hex: string }[];
  };
  for (const c of golden.cases) {
    const samples = c.samples.map(([t, bits]) => ({ t, v: fromBits(bits) }));
    assert.equal(Buffer.from(encode(samples)).toString('hex'), c.hex, c.name);
    assert.deepEqual(xorChunkSamples(Buffer.from(c.hex, 'hex')).map((s) => [s.tMs, hexBits(s.value)]), c.samples, c.name);
  }
});

test('XOR chunk: a truncated chunk fails with a clear error, never with made-up samples', () => {
  const bytes = encode(Array.from({ length: 50 }, (_, i) => ({ t: i * 10_000, v: Math.sin(i) })));
  for (const cut of [1, 5, bytes.length - 40, bytes.length - 1]) {
    assert.throws(() => xorChunkSamples(bytes.subarray(0, cut)), ChunkDecodeError, `cut at ${cut}`);
  }
});

test('XOR chunk: refuses times that do not increase', () => {
  const enc = new XorEncoder();
  enc.append(2000, 1);
  assert.throws(() => enc.append(2000, 2), /increasing times/);
  assert.throws(() => enc.append(1000, 2), /increasing times/);
});

test('XOR chunk: regular gauge-like data compresses to under 2 bytes a sample', () => {
  const samples = Array.from({ length: 120 }, (_, i) => ({ t: 1_700_000_000_000 + i * 10_000, v: 1024 + (i % 7) }));
  const bytes = encode(samples);
  assert.ok(bytes.length / samples.length < 2, `${bytes.length} bytes for 120 samples`);
});

/** What a reader gets from a chunk before it ends or throws: [time, value bits] pairs, and the error if one came. */
interface Read {
  readonly samples: [number, string][];
  readonly error: string | undefined;
}

function readByNext(bytes: Uint8Array, offset = 0, length = bytes.length): Read {
  const it = new XorIterator();
  const samples: [number, string][] = [];
  try {
    it.resetChunk(bytes, offset, length);
    while (it.next()) samples.push([it.tMs, hexBits(it.value)]);
  } catch (err) {
    assert.ok(err instanceof ChunkDecodeError, String(err));
    return { samples, error: err.message };
  }
  return { samples, error: undefined };
}

function readByBatch(bytes: Uint8Array, batch: number, offset = 0, length = bytes.length): Read {
  const it = new XorIterator();
  const t = new Float64Array(batch);
  const v = new Float64Array(batch);
  const samples: [number, string][] = [];
  try {
    it.resetChunk(bytes, offset, length);
    for (let n = it.readBatch(t, v); n > 0; n = it.readBatch(t, v)) {
      for (let k = 0; k < n; k++) samples.push([t[k] ?? NaN, hexBits(v[k] ?? NaN)]);
      assert.equal(it.tMs, t[n - 1], 'tMs is the last sample written');
    }
  } catch (err) {
    assert.ok(err instanceof ChunkDecodeError, String(err));
    return { samples, error: err.message };
  }
  return { samples, error: undefined };
}

test('XOR chunk: batched reads give what next() gives (samples and error), whole or cut anywhere, alone or inside a larger buffer, in any batch size (property)', () => {
  fc.assert(
    fc.property(timestamps, fc.array(values, { minLength: 301, maxLength: 301 }), fc.constantFrom(1, 2, 7, 120, 512), fc.nat(), (times, vals, batch, cutSeed) => {
      const bytes = encode(times.map((t, i) => ({ t, v: vals[i] ?? 0 })));
      for (const chunk of [bytes, bytes.subarray(0, cutSeed % (bytes.length + 1))]) {
        assert.deepEqual(readByBatch(chunk, batch), readByNext(chunk));
        // inside a larger buffer (an arena slab), other bytes after the chunk: never read as samples
        for (const fill of [0xff, 0xaa, 0x55]) {
          const slab = new Uint8Array(3 + chunk.length + 16).fill(fill);
          slab.set(chunk, 3);
          assert.deepEqual(readByBatch(slab, batch, 3, chunk.length), readByNext(slab, 3, chunk.length), `fill ${fill}`);
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('XOR chunk: a batch ends at the last good sample of a truncated stream, the next call throws', () => {
  const bytes = encode(Array.from({ length: 50 }, (_, i) => ({ t: i * 10_000, v: Math.sin(i) })));
  const cut = bytes.subarray(0, bytes.length - 40);
  const it = new XorIterator();
  it.resetChunk(cut, 0, cut.length);
  const t = new Float64Array(64);
  const v = new Float64Array(64);
  const n = it.readBatch(t, v);
  assert.ok(n > 1 && n < 50, `${n} samples before the cut`);
  assert.deepEqual(Array.from(t.subarray(0, n)), Array.from({ length: n }, (_, i) => i * 10_000));
  assert.throws(() => it.readBatch(t, v), ChunkDecodeError);
  assert.equal(it.readBatch(t, v), 0, 'nothing more after the error');
  // next() after a batch that stopped early meets the bad sample again: it throws too
  it.resetChunk(cut, 0, cut.length);
  assert.equal(it.readBatch(t, v), n);
  assert.throws(() => it.next(), ChunkDecodeError);
  assert.equal(it.next(), false);
});
