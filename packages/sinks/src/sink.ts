/** Where encoded batches go. Expected failures are values, never exceptions. */
export type SendResult =
  | { readonly status: 'success' }
  | { readonly status: 'retryable'; readonly error: string; readonly retryAfterMs?: number }
  | { readonly status: 'failure'; readonly error: string };

export interface Sink {
  /** Sends one encoded batch; never throws for network or HTTP failures. */
  send(payload: Uint8Array, opts: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<SendResult>;
}
