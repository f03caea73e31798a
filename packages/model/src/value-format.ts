/**
 * Float formatting shared by the exposition format and the HTTP API, which print special values
 * as `NaN`, `+Inf` and `-Inf`.
 */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Parses what {@link formatFloat} prints (and Go's float syntax for the specials). */
export function parseFloatStrict(text: string): number | undefined {
  switch (text.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
  }
  if (text.trim() === '' || text !== text.trim()) return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** The bit pattern Prometheus uses to mark a series as stale (a NaN, but a specific one). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

/** True when `value` is exactly the Prometheus staleness marker. */
export function isStaleMarker(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0) === STALE_NAN_BITS;
}

/** The staleness marker as a number (a NaN carrying {@link STALE_NAN_BITS}). */
export const STALE_NAN: number = (() => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, STALE_NAN_BITS);
  return view.getFloat64(0);
})();
