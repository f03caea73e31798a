/**
 * Silences kept in memory and persisted to `<dir>/silences.json` (docs/formats/notify-state-v1.md)
 * after every change. Deleting a silence expires it (it stays listed as `expired`); expired
 * silences are forgotten after `retentionMs`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Silence, SilenceInput, SilenceState } from './silence.js';
import { SilenceMatcher, SilenceValidationError, parseSilenceInput, silenceState } from './silence.js';
import { readJsonFile, writeJsonAtomic } from './state-file.js';

export const SILENCES_FORMAT_VERSION = 1;

export interface SilenceStoreOptions {
  readonly dir: string;
  readonly fsync: boolean;
  /** How long an expired silence stays listed (default 5 days, as Alertmanager). */
  readonly retentionMs?: number;
  /** Bound on stored silences; past it a new silence is refused (default 10,000). */
  readonly maxSilences?: number;
  readonly nowMs?: () => number;
}

export interface SilenceView extends Silence {
  readonly state: SilenceState;
}

export class SilenceStore {
  private readonly _silences = new Map<string, Silence>();
  private readonly _path: string;
  private readonly _now: () => number;
  private _version = 0;

  constructor(private readonly _opts: SilenceStoreOptions) {
    this._path = join(_opts.dir, 'silences.json');
    this._now = _opts.nowMs ?? Date.now;
    this._load();
  }

  /** Increases on every change; lets the dispatcher cache its compiled matcher. */
  get version(): number {
    return this._version;
  }

  list(): SilenceView[] {
    const now = this._now();
    return [...this._silences.values()].map((s) => ({ ...s, state: silenceState(s, now) })).sort((a, b) => b.updatedAtMs - a.updatedAtMs);
  }

  get(id: string): SilenceView | undefined {
    const s = this._silences.get(id);
    return s ? { ...s, state: silenceState(s, this._now()) } : undefined;
  }

  /** Creates a silence, or updates the one named by `input.id`; throws {@link SilenceValidationError}. */
  upsert(input: SilenceInput): SilenceView {
    const now = this._now();
    if (input.id !== undefined && !this._silences.has(input.id)) throw new SilenceValidationError(`no silence with id ${JSON.stringify(input.id)}`);
    if (input.id === undefined && this._silences.size >= (this._opts.maxSilences ?? 10_000)) throw new SilenceValidationError('too many silences; delete expired ones first');
    if (input.endsAtMs <= now) throw new SilenceValidationError('endsAtMs is in the past');
    const s: Silence = { ...input, id: input.id ?? randomUUID(), updatedAtMs: now };
    this._silences.set(s.id, s);
    this._save();
    return { ...s, state: silenceState(s, now) };
  }

  /** Expires a silence now; undefined when there is no such silence. */
  expire(id: string): SilenceView | undefined {
    const s = this._silences.get(id);
    if (!s) return undefined;
    const now = this._now();
    if (silenceState(s, now) !== 'expired') {
      const expired: Silence = { ...s, startsAtMs: Math.min(s.startsAtMs, now - 1), endsAtMs: now, updatedAtMs: now };
      this._silences.set(id, expired);
      this._save();
      return { ...expired, state: 'expired' };
    }
    return { ...s, state: 'expired' };
  }

  /** The active silences, compiled for matching at `nowMs`. */
  matcher(nowMs: number): SilenceMatcher {
    return new SilenceMatcher([...this._silences.values()], nowMs);
  }

  /** Forgets silences expired longer than the retention ago. */
  gc(): number {
    const cutoff = this._now() - (this._opts.retentionMs ?? 5 * 86_400_000);
    let removed = 0;
    for (const [id, s] of this._silences) if (s.endsAtMs < cutoff && this._silences.delete(id)) removed++;
    if (removed > 0) this._save();
    return removed;
  }

  private _save(): void {
    this._version++;
    writeJsonAtomic(this._path, { version: SILENCES_FORMAT_VERSION, silences: [...this._silences.values()] }, this._opts.fsync);
  }

  private _load(): void {
    const data = readJsonFile(this._path);
    if (data === undefined) return;
    const o = data as { version?: unknown; silences?: unknown };
    if (o.version !== SILENCES_FORMAT_VERSION || !Array.isArray(o.silences)) throw new Error(`${this._path}: expected {"version":1,"silences":[...]}`);
    for (const [i, raw] of (o.silences as unknown[]).entries()) {
      try {
        const input = parseSilenceInput(raw);
        const updatedAtMs = (raw as { updatedAtMs?: unknown }).updatedAtMs;
        if (input.id === undefined) throw new SilenceValidationError('id is missing');
        this._silences.set(input.id, { ...input, id: input.id, updatedAtMs: typeof updatedAtMs === 'number' ? updatedAtMs : 0 });
      } catch (err) {
        throw new Error(`${this._path}: silences[${i}]: ${(err as Error).message}`);
      }
    }
  }
}
