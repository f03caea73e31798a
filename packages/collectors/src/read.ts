import { readFile, readdir, readlink } from 'node:fs/promises';

/** Reads a text file; undefined when it does not exist or cannot be read (the item went away). */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Lists a directory; an empty list when it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

/** Reads a symbolic link; undefined when it cannot. */
export async function readLink(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}

/** Parses a file of `key value` lines (cgroup `memory.stat`, `cpu.stat`) into numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** Parses a file holding one integer; undefined for `max` or junk. */
export function parseSingleInt(text: string | undefined): number | undefined {
  const t = text?.trim();
  return t !== undefined && /^-?\d+$/.test(t) ? Number(t) : undefined;
}
