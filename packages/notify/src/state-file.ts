/** Whole-file JSON state, replaced atomically (kit's writeFileAtomic: temp file, fsync, rename, fsync the directory). */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@fathom/kit';

/** Writes `value` as JSON to `path` so that a crash leaves either the old or the new file. */
export function writeJsonAtomic(path: string, value: unknown, fsync: boolean): void {
  writeFileAtomicSync(path, `${JSON.stringify(value)}\n`, fsync);
}

/** Writes one JSON value per line, atomically. */
export function writeJsonLinesAtomic(path: string, values: readonly unknown[], fsync: boolean): void {
  writeFileAtomicSync(path, values.map((v) => `${JSON.stringify(v)}\n`).join(''), fsync);
}

/** Reads a JSON file; undefined when it does not exist; throws with the path for unreadable JSON. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}
