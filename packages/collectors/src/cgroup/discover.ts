/**
 * Walks a cgroup hierarchy and returns every container cgroup in it. The walk does not descend
 * into a container's own sub-cgroups (a container running systemd has many), and it is bounded
 * in depth so a pathological tree cannot stall a cycle.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { containerFromCgroupPath } from './container-id.js';
import type { ContainerRef } from './container-id.js';

export interface DiscoveredContainer extends ContainerRef {
  /** Path relative to the hierarchy root, starting with `/`. */
  readonly cgroupPath: string;
}

const MAX_DEPTH = 12;

export async function discoverContainers(hierarchyRoot: string): Promise<DiscoveredContainer[]> {
  const found = new Map<string, DiscoveredContainer>();
  await walk(hierarchyRoot, '', 0, found);
  return [...found.values()];
}

async function walk(root: string, rel: string, depth: number, found: Map<string, DiscoveredContainer>): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return; // the cgroup went away while we walked
  }
  const dirs = entries.filter((e) => e.isDirectory());
  await Promise.all(
    dirs.map(async (d) => {
      const childRel = `${rel}/${d.name}`;
      const ref = containerFromCgroupPath(d.name) ? containerFromCgroupPath(childRel) : undefined;
      if (ref) {
        if (!found.has(ref.id)) found.set(ref.id, { ...ref, cgroupPath: childRel });
        return;
      }
      await walk(root, childRel, depth + 1, found);
    }),
  );
}
