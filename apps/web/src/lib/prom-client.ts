/**
 * The server's APIs from the browser: Prometheus instant and range queries, label values,
 * events, and the dashboards store. Errors become `ApiError` with the server's message.
 */

/** One problem of a refused file, 1-based position. */
export interface SourceProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** An error answer of the server: its message, and for a refused file where (the first problem, and all of them). */
export class ApiError extends Error {
  constructor(message: string, readonly status = 0, readonly errorType?: string, readonly line?: number, readonly column?: number, readonly problems: readonly SourceProblem[] = []) {
    super(message);
  }
}

function problemsOf(v: unknown): SourceProblem[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((p: unknown) => {
    const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    return typeof o.line === 'number' && typeof o.message === 'string' ? [{ line: o.line, column: typeof o.column === 'number' ? o.column : 1, message: o.message }] : [];
  });
}

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  error?: string;
  errorType?: string;
  line?: number;
  column?: number;
  problems?: unknown;
  warnings?: string[];
  infos?: string[];
}

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

export interface KubeEvent {
  readonly atMs: number;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly source: string;
  readonly count: number;
  readonly object: { readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly labels: Readonly<Record<string, string>>;
}

async function call<T>(url: string, init?: RequestInit, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, ...(signal ? { signal } : {}) });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the server: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: Envelope<T>;
  try {
    body = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new ApiError(`HTTP ${res.status}: ${text.slice(0, 200)}`, res.status);
  }
  if (body.status !== 'success') {
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status, body.errorType, num(body.line), num(body.column), problemsOf(body.problems));
  }
  return body.data as T;
}

export function instantQueryUrl(expr: string, timeMs: number): string {
  return `/api/v1/query?${new URLSearchParams({ query: expr, time: String(timeMs / 1000) }).toString()}`;
}

export function instantQuery(expr: string, timeMs: number, signal?: AbortSignal): Promise<{ resultType: string; result: InstantSample[] }> {
  return call(instantQueryUrl(expr, timeMs), undefined, signal);
}

export function rangeQuery(expr: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<{ resultType: string; result: RangeSeries[] }> {
  const q = new URLSearchParams({ query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) });
  return call(`/api/v1/query_range?${q.toString()}`, undefined, signal);
}

export function labelValues(label: string, match: string | undefined, signal?: AbortSignal): Promise<string[]> {
  const q = new URLSearchParams();
  if (match) q.append('match[]', match);
  return call(`/api/v1/label/${encodeURIComponent(label)}/values?${q.toString()}`, undefined, signal);
}

/** Events in the window matching the selector, newest first; [] when the server has no events API. */
export async function events(startMs: number, endMs: number, match: string | undefined, limit: number, signal?: AbortSignal): Promise<KubeEvent[]> {
  const q = new URLSearchParams({ start: String(startMs / 1000), end: String(endMs / 1000), limit: String(limit) });
  if (match) q.append('match[]', match);
  try {
    return await call<KubeEvent[]>(`/api/v1/events?${q.toString()}`, undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && /no API endpoint/.test(err.message)) return [];
    throw err;
  }
}

export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return call<T>(path, undefined, signal);
}

/** Sends a text body (e.g. a YAML rule file). */
export function sendText<T>(method: 'PUT' | 'POST', path: string, text: string, contentType = 'application/yaml'): Promise<T> {
  return call<T>(path, { method, headers: { 'content-type': contentType }, body: text });
}

export function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return call<T>(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
