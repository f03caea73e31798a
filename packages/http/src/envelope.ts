/**
 * The Prometheus HTTP API envelope (docs/querying/api.md): `{status, data}` on success and
 * `{status, errorType, error}` on failure, and the one table mapping error types to HTTP status.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found' | 'too_large';

const STATUS: Record<ErrorType, ContentfulStatusCode> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499 as ContentfulStatusCode,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  too_large: 413,
};

/** An error that leaves the API as a Prometheus error envelope. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** The success envelope; `warnings` and `infos` (Prometheus 3's annotations) only when non-empty. */
export function success(c: Context, data: unknown, warnings?: readonly string[], infos?: readonly string[]): Response {
  return c.json({ status: 'success', data, ...(warnings?.length ? { warnings } : {}), ...(infos?.length ? { infos } : {}) });
}

/** A JSON body already written as bytes (result-json.ts), sent as `c.json` sends its string. */
export function jsonBytes(c: Context, body: Uint8Array<ArrayBuffer>): Response {
  return c.body(body, 200, { 'content-type': 'application/json' });
}

export function failure(c: Context, err: ApiError): Response {
  // Prometheus reports too-large bodies as bad_data with 413; keep the type names Prometheus clients know.
  const errorType = err.type === 'too_large' ? 'bad_data' : err.type;
  return c.json({ status: 'error', errorType, error: err.message }, STATUS[err.type]);
}

/**
 * Formats a float as Go's strconv.FormatFloat(v, 'f', -1, 64), which Prometheus uses for sample
 * values: shortest round-trip digits, never an exponent.
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s; // the common case: no exponent to expand (skips the regex per value)
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const digits = `${int}${frac}`;
  const exp = Number(expText);
  if (exp >= 0) return `${sign}${digits.padEnd(exp + 1, '0').slice(0, Math.max(exp + 1, digits.length))}${digits.length > exp + 1 ? `.${digits.slice(exp + 1)}` : ''}`;
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** A timestamp in the API's unit: seconds, as a float. */
export function apiTime(tMs: number): number {
  return tMs / 1000;
}
