/**
 * Active alert state on disk (docs/formats/alert-state.md): one file, `FATHOM-ALERT-STATE 1
 * <sha256 of the body>` then a JSON body, written to a temporary file, fsynced and renamed (by the
 * rule manager after evaluations, at most every `stateSaveIntervalMs`, and at stop), so a crash leaves the previous or the new state, never a torn one. A
 * file that fails its checksum or does not parse is reported and not used.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@fathom/kit';
import { labelsOf } from '@fathom/model';
import type { ActiveAlert } from './alert-state.js';

export const STATE_MAGIC = 'FATHOM-ALERT-STATE';
export const STATE_VERSION = 1;

export interface SavedRuleState {
  readonly file: string;
  readonly group: string;
  readonly rule: string;
  /** Which of the group's rules with this name (0 = first), so same-named rules keep apart. */
  readonly index: number;
  readonly alerts: readonly ActiveAlert[];
}

export interface SavedState {
  readonly savedAtMs: number;
  readonly rules: readonly SavedRuleState[];
}

/** NaN and ±Inf values (JSON has none) are written as null and read back as NaN. */
export function encodeState(s: SavedState): string {
  const body = JSON.stringify(s);
  const sum = createHash('sha256').update(body).digest('hex');
  return `${STATE_MAGIC} ${STATE_VERSION} ${sum}\n${body}`;
}

/**
 * The same text as {@link encodeState}, built one rule at a time with `pause()` between rules
 * (the body and its checksum alike), so a large state does not hold the event loop in one piece.
 */
export async function encodeStateInSlices(s: SavedState, pause: () => Promise<void>): Promise<string> {
  const hash = createHash('sha256');
  const parts: string[] = [];
  const add = async (part: string): Promise<void> => {
    parts.push(part);
    hash.update(part);
    await pause();
  };
  await add(`{"savedAtMs":${JSON.stringify(s.savedAtMs)},"rules":[`);
  for (const [i, r] of s.rules.entries()) await add(`${i > 0 ? ',' : ''}${JSON.stringify(r)}`);
  await add(']}');
  return `${STATE_MAGIC} ${STATE_VERSION} ${hash.digest('hex')}\n${parts.join('')}`;
}

/** Decodes a state file; throws an Error saying what is wrong (bad magic, version, checksum, shape). */
export function decodeState(text: string): SavedState {
  const nl = text.indexOf('\n');
  const header = (nl < 0 ? text : text.slice(0, nl)).split(' ');
  if (header[0] !== STATE_MAGIC) throw new Error('not an alert state file (bad magic)');
  if (header[1] !== String(STATE_VERSION)) throw new Error(`unsupported alert state version ${header[1] ?? ''}`);
  const body = text.slice(nl + 1);
  if (createHash('sha256').update(body).digest('hex') !== header[2]) throw new Error('checksum mismatch (torn or edited file)');
  const raw = JSON.parse(body) as { savedAtMs?: unknown; rules?: unknown };
  if (typeof raw.savedAtMs !== 'number' || !Array.isArray(raw.rules)) throw new Error('malformed body');
  const rules = (raw.rules as SavedRuleState[]).map((r) => ({ ...r, alerts: r.alerts.map((a) => ({ ...a, value: typeof a.value === 'number' ? a.value : NaN, labels: labelsOf(a.labels), annotations: labelsOf(a.annotations) })) }));
  return { savedAtMs: raw.savedAtMs, rules };
}

/** Writes the state atomically; with `pause`, encoded in slices ({@link encodeStateInSlices}). */
export async function writeStateFile(path: string, s: SavedState, pause?: () => Promise<void>): Promise<void> {
  const text = pause ? await encodeStateInSlices(s, pause) : encodeState(s);
  await writeFileAtomic(path, text);
}

/** The saved state, undefined when there is none; throws when the file exists but is unusable. */
export async function readStateFile(path: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return decodeState(text);
}
