/**
 * Walks a cgroup hierarchy and returns every container cgroup in it. The walk does not descend
 * into a container's own sub-cgroups (a container running systemd has many), and it is bounded
 * in depth so a pathological tree cannot stall a cycle.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { containerFromCgroupPath } from './container-id.js';
import type { ContainerRef } from './container-id.js';

export interface DiscoveredContainer extends ContainerRef {
  /** Path relative to the hierarchy root, starting with `/`. */
  readonly cgroupPath: string;
}

const MAX_DEPTH = 12;

/** Synchronous: cgroupfs is in memory, and the walk is on the agent's hot path (see read.ts). */
export function discoverContainers(hierarchyRoot: string): DiscoveredContainer[] {
  const found = new Map<string, DiscoveredContainer>();
  walk(hierarchyRoot, '', 0, found);
  return [...found.values()];
}

function walk(root: string, rel: string, depth: number, found: Map<string, DiscoveredContainer>): void {
  if (depth > MAX_DEPTH) return;
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return; // the cgroup went away while we walked
  }
  for (const d of entries) {
    if (!d.isDirectory()) continue;
    const childRel = `${rel}/${d.name}`;
    const ref = containerFromCgroupPath(d.name) ? containerFromCgroupPath(childRel) : undefined;
    if (ref) {
      if (!found.has(ref.id)) found.set(ref.id, { ...ref, cgroupPath: childRel });
    } else walk(root, childRel, depth + 1, found);
  }
}
