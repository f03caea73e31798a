/**
 * Whole-file writes that a crash cannot tear: write a temp file beside the target, fsync it,
 * rename it over the target, fsync the directory (so the rename itself is durable). Readers see
 * the old file or the new one, never a mix. With `fsync` false the OS decides when it reaches disk.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

let seq = 0;

/** A temp path no other write (of this process or another) uses at the same time. */
function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${seq++}.tmp`;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, fsync = true): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
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

/** {@link writeFileAtomic} for the places that must finish before returning (a shutdown's last save). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, fsync = true): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, data);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (fsync) fsyncDirSync(dirname(path));
}

/** Makes a directory's entries durable (a file created, renamed or removed in it survives power loss). */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
