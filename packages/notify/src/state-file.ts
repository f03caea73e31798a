/** Whole-file JSON state, replaced atomically (write to a temp file, fsync, rename, fsync the directory). */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `value` as JSON to `path` so that a crash leaves either the old or the new file. */
export function writeJsonAtomic(path: string, value: unknown, fsync: boolean): void {
  writeTextAtomic(path, `${JSON.stringify(value)}\n`, fsync);
}

/** Writes one JSON value per line, atomically. */
export function writeJsonLinesAtomic(path: string, values: readonly unknown[], fsync: boolean): void {
  writeTextAtomic(path, values.map((v) => `${JSON.stringify(v)}\n`).join(''), fsync);
}

function writeTextAtomic(path: string, text: string, fsync: boolean): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, text);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (fsync) {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
}

/** {@link writeTextAtomic} without blocking the event loop on the disk (a separate temp file). */
export async function writeTextAtomicAsync(path: string, text: string, fsync: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.async.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  if (fsync) {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
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
