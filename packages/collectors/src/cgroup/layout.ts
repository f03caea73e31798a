/**
 * Where the cgroup hierarchies are mounted. On a unified (v2) host everything is under
 * `<sys>/fs/cgroup`; on a v1 or hybrid host each controller has its own directory and
 * `<sys>/fs/cgroup/unified` (if present) carries no controllers, so v1 is used.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';

export type CgroupLayout =
  | { readonly version: 2; readonly root: string }
  | { readonly version: 1; readonly cpu: string; readonly cpuacct: string; readonly memory: string; readonly blkio: string; readonly pids: string };

export async function detectCgroupLayout(sysRoot: string): Promise<CgroupLayout | undefined> {
  const base = join(sysRoot, 'fs', 'cgroup');
  if (await exists(join(base, 'cgroup.controllers'))) return { version: 2, root: base };
  if (await exists(join(base, 'memory')) || (await exists(join(base, 'cpuacct')))) {
    return {
      version: 1,
      cpu: join(base, 'cpu'),
      cpuacct: join(base, 'cpuacct'),
      memory: join(base, 'memory'),
      blkio: join(base, 'blkio'),
      pids: join(base, 'pids'),
    };
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
