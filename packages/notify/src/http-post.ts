/** One HTTP POST of a JSON (or text) body, its outcome classified for retrying. */
import type { DeliveryResult } from './channel.js';

export interface PostOptions {
  readonly url: string;
  readonly body: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Accepts a response as success; default any 2xx. */
  readonly isSuccess?: (status: number, text: string) => boolean;
}

/**
 * POSTs and classifies: 2xx success; 408, 429 and 5xx retryable (`Retry-After` honoured); other
 * 4xx a failure that is not retried (a bad payload or credentials will not get better); network
 * errors and timeouts retryable.
 */
export async function postForDelivery(o: PostOptions): Promise<DeliveryResult> {
  let res: Response;
  try {
    res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': o.contentType ?? 'application/json', 'user-agent': 'Fathom-notify/1', ...o.headers },
      body: o.body,
      signal: o.signal,
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = o.signal.aborted ? 'timed out or cancelled' : (e.cause?.code ?? e.message);
    return { status: 'retryable', reason: `POST ${redact(o.url)}: ${why}` };
  }
  const text = (await res.text().catch(() => '')).slice(0, 512);
  return classify(res.status, text, res.headers.get('retry-after'), o.url, o.isSuccess);
}

export function classify(status: number, text: string, retryAfter: string | null, url: string, isSuccess?: (status: number, text: string) => boolean): DeliveryResult {
  const ok = isSuccess ? isSuccess(status, text) : status >= 200 && status < 300;
  if (ok) return { status: 'success' };
  const reason = `POST ${redact(url)}: HTTP ${status}${text ? ` ${text.trim()}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(retryAfter, Date.now());
    return { status: 'retryable', reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { status: 'failure', reason };
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - nowMs) : undefined;
}

/** URLs of Slack hooks and the like are secrets: keep scheme, host and the first path segment. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    return `${u.protocol}//${u.host}/${first ?? ''}${u.pathname.split('/').filter(Boolean).length > 1 ? '/…' : ''}`;
  } catch {
    return '<bad url>';
  }
}
