/**
 * A commit the storage refused because its write queue is full (`StorageError` `overloaded`,
 * nothing stored) leaves as 503 with Retry-After: Prometheus' remote-write sender and the agent
 * retry a 5xx, whereas a 4xx makes them drop the data.
 */
import type { Context } from 'hono';
import { StorageError } from '@fathom/storage';
import { ApiError, failure } from './envelope.js';

/** Seconds a sender is asked to wait before retrying a refused write. */
export const OVERLOAD_RETRY_AFTER_S = 1;

export function isOverloaded(err: unknown): err is StorageError {
  return err instanceof StorageError && err.code === 'overloaded';
}

/** 503 + Retry-After (Prometheus error envelope, type `unavailable`) for an overload; undefined for any other error. */
export function overloadedResponse(c: Context, err: unknown): Response | undefined {
  if (!isOverloaded(err)) return undefined;
  c.header('Retry-After', String(OVERLOAD_RETRY_AFTER_S));
  return failure(c, new ApiError('unavailable', err.message));
}
