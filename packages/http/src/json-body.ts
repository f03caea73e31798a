import type { Context } from 'hono';
import { ApiError } from './envelope.js';

/** The request body as JSON: 413 past `maxBytes`, 400 naming the problem when it is not UTF-8 JSON. */
export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const body = await c.req.arrayBuffer();
  if (body.byteLength > maxBytes) throw new ApiError('too_large', `body is ${body.byteLength} bytes, more than the limit of ${maxBytes}`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as unknown;
  } catch (err) {
    throw new ApiError('bad_data', `body: not valid JSON: ${(err as Error).message}`);
  }
}
