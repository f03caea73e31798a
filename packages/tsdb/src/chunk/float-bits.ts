/**
 * Float64 ↔ two u32 halves, bit-exact (NaN payloads such as Prometheus' stale marker survive:
 * typed arrays store the bits as given, plain JS arrays may canonicalise NaN).
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

export function floatToHiLo(v: number): [number, number] {
  f64[0] = v;
  return [u32[HI] ?? 0, u32[LO] ?? 0];
}

export function hiLoToFloat(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0] ?? NaN;
}

/** True when both numbers have the same bits (unlike ===, NaN equals a NaN with the same payload). */
export function sameBits(a: number, b: number): boolean {
  const [ah, al] = floatToHiLo(a);
  const [bh, bl] = floatToHiLo(b);
  return ah === bh && al === bl;
}
