/**
 * Silences: label matchers that mute matching alerts between `startsAtMs` and `endsAtMs`.
 * Pure: validation of API input, state, matching. Persistence is in `silence-store.ts`.
 */
import { matchesAll } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import { compileMatchers } from './matchers.js';
import type { MatcherSpec } from './matchers.js';

export interface Silence {
  readonly id: string;
  readonly matchers: readonly MatcherSpec[];
  /** Inclusive start, Unix ms. */
  readonly startsAtMs: number;
  /** Exclusive end, Unix ms; a deleted (expired) silence has it set to the time of deletion. */
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAtMs: number;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: Silence, nowMs: number): SilenceState {
  if (nowMs >= s.endsAtMs) return 'expired';
  return nowMs < s.startsAtMs ? 'pending' : 'active';
}

/** Thrown for bad silence input; `message` names the field. */
export class SilenceValidationError extends Error {
  override readonly name = 'SilenceValidationError';
}

/** What a client posts; `id` present = update of that silence. */
export interface SilenceInput {
  readonly id?: string;
  readonly matchers: readonly MatcherSpec[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * Validates an API body into a {@link SilenceInput}. Matchers are `{ name, type, value }` or
 * Alertmanager's `{ name, value, isRegex, isEqual }`; times are `startsAtMs`/`endsAtMs` (Unix ms)
 * or Alertmanager's RFC 3339 `startsAt`/`endsAt`.
 */
export function parseSilenceInput(body: unknown): SilenceInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SilenceValidationError('body must be a JSON object');
  const o = body as Record<string, unknown>;
  const matchers = parseMatcherList(o['matchers']);
  const startsAtMs = timeField(o, 'startsAtMs', 'startsAt');
  const endsAtMs = timeField(o, 'endsAtMs', 'endsAt');
  if (endsAtMs <= startsAtMs) throw new SilenceValidationError('endsAtMs must be after startsAtMs');
  const createdBy = stringField(o, 'createdBy');
  const comment = stringField(o, 'comment');
  const id = o['id'];
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw new SilenceValidationError('id must be a non-empty string when given');
  return { ...(typeof id === 'string' ? { id } : {}), matchers, startsAtMs, endsAtMs, createdBy, comment };
}

function parseMatcherList(v: unknown): MatcherSpec[] {
  if (!Array.isArray(v) || v.length === 0) throw new SilenceValidationError('matchers must be a non-empty array');
  const specs = v.map((m: unknown, i) => parseMatcherObject(m, i));
  try {
    const compiled = compileMatchers(specs);
    if (compiled.every((m) => m.matches(''))) throw new SilenceValidationError('matchers must not all match the empty string (that would silence every alert)');
  } catch (err) {
    if (err instanceof SilenceValidationError) throw err;
    throw new SilenceValidationError((err as Error).message);
  }
  return specs;
}

function parseMatcherObject(m: unknown, i: number): MatcherSpec {
  if (typeof m !== 'object' || m === null) throw new SilenceValidationError(`matchers[${i}] must be an object`);
  const o = m as Record<string, unknown>;
  const name = o['name'];
  const value = o['value'];
  if (typeof name !== 'string') throw new SilenceValidationError(`matchers[${i}].name must be a string`);
  if (typeof value !== 'string') throw new SilenceValidationError(`matchers[${i}].value must be a string`);
  if (o['type'] !== undefined) {
    if (o['type'] !== '=' && o['type'] !== '!=' && o['type'] !== '=~' && o['type'] !== '!~') throw new SilenceValidationError(`matchers[${i}].type must be one of = != =~ !~`);
    return { name, type: o['type'], value };
  }
  const isRegex = o['isRegex'] === true;
  const isEqual = o['isEqual'] !== false;
  return { name, type: isRegex ? (isEqual ? '=~' : '!~') : isEqual ? '=' : '!=', value };
}

function timeField(o: Record<string, unknown>, msName: string, rfcName: string): number {
  const ms = o[msName];
  if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
  const rfc = o[rfcName];
  if (typeof rfc === 'string') {
    const t = Date.parse(rfc);
    if (Number.isFinite(t)) return t;
    throw new SilenceValidationError(`${rfcName} must be an RFC 3339 time, got ${JSON.stringify(rfc)}`);
  }
  throw new SilenceValidationError(`${msName} (Unix ms) or ${rfcName} (RFC 3339) is required`);
}

function stringField(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  if (typeof v !== 'string' || v.trim() === '') throw new SilenceValidationError(`${name} must be a non-empty string`);
  return v;
}

/** Compiled silences for fast matching at one instant. */
export class SilenceMatcher {
  private readonly _active: { readonly id: string; readonly matchers: Matcher[] }[];

  constructor(silences: readonly Silence[], nowMs: number) {
    this._active = silences.filter((s) => silenceState(s, nowMs) === 'active').map((s) => ({ id: s.id, matchers: compileMatchers(s.matchers) }));
  }

  /** Ids of the active silences muting `labels` (empty = not silenced). */
  silencedBy(labels: Labels): string[] {
    return this._active.filter((s) => matchesAll(labels, s.matchers)).map((s) => s.id);
  }
}
