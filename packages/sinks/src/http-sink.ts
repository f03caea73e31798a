/**
 * Posts protocol-v1 batches to the server. 2xx is success; 408, 429 and 5xx and network errors
 * are retryable (honouring Retry-After); any other 4xx means the server will never accept this
 * batch, so retrying it would block the queue forever: it is a failure.
 */
import { BATCH_CONTENT_TYPE } from '@fathom/protocol';
import type { SendResult, Sink } from './sink.js';

export class HttpSink implements Sink {
  private readonly _url: string;

  constructor(serverUrl: string) {
    this._url = new URL('/api/agent/v1/batches', serverUrl).toString();
  }

  async send(payload: Uint8Array, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<SendResult> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(this._url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': BATCH_CONTENT_TYPE, 'content-encoding': 'gzip' },
        signal,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { status: 'retryable', error: `${this._url}: ${e.cause?.code ?? e.name}: ${e.message}` };
    }
    const body = await res.text().catch(() => '');
    if (res.ok) return { status: 'success' };
    const error = `${this._url}: HTTP ${res.status}: ${body.slice(0, 500)}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfterMs = retryAfter(res.headers.get('retry-after'));
      return retryAfterMs === undefined ? { status: 'retryable', error } : { status: 'retryable', error, retryAfterMs };
    }
    return { status: 'failure', error };
  }
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
