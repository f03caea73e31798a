import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

/**
 * Reads a text file; undefined when it does not exist or cannot be read (the item went away).
 *
 * Synchronous on purpose: procfs and cgroupfs files are generated in memory and never wait on a
 * disk, and a cycle reads thousands of them; the promise API costs a thread-pool round trip and
 * an fstat per file, which profiling showed to be most of the agent's CPU. One buffer is reused.
 */
export function readText(path: string): Promise<string | undefined> {
  return Promise.resolve(readTextSync(path));
}

let shared = Buffer.allocUnsafe(64 * 1024);

export function readTextSync(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === shared.length) shared = Buffer.concat([shared, Buffer.allocUnsafe(shared.length)]);
      const n = readSync(fd, shared, length, shared.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return shared.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Lists a directory; an empty list when it does not exist. Synchronous for the reason above. */
export function listDir(path: string): Promise<string[]> {
  try {
    return Promise.resolve(readdirSync(path));
  } catch {
    return Promise.resolve([]);
  }
}

/** Reads a symbolic link; undefined when it cannot. */
export function readLink(path: string): Promise<string | undefined> {
  try {
    return Promise.resolve(readlinkSync(path));
  } catch {
    return Promise.resolve(undefined);
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
