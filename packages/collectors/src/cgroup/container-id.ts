/**
 * Recognises a container from a cgroup path, for every runtime's naming:
 *
 * | runtime         | cgroupfs driver (v1 and v2)          | systemd driver                                  |
 * |-----------------|---------------------------------------|-------------------------------------------------|
 * | Docker          | `/docker/<id>`                        | `/system.slice/docker-<id>.scope`               |
 * | containerd/CRI  | `/kubepods/burstable/pod<uid>/<id>`   | `/kubepods.slice/…/cri-containerd-<id>.scope`   |
 * | CRI-O           | `/kubepods/…/pod<uid>/crio-<id>`      | `/kubepods.slice/…/crio-<id>.scope`             |
 * | podman          | `/libpod_parent/libpod-<id>`          | `/machine.slice/libpod-<id>.scope`              |
 *
 * Runtime helper cgroups (`crio-conmon-<id>.scope`, `libpod-conmon-<id>.scope`) are not containers.
 */

export type Runtime = 'docker' | 'containerd' | 'crio' | 'podman' | 'unknown';

export interface ContainerRef {
  /** Full 64-hex container id. */
  readonly id: string;
  readonly runtime: Runtime;
  /** Kubernetes pod UID when the cgroup sits under kubepods (dashes restored). */
  readonly podUid?: string;
}

const PREFIXED = /^(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\.scope)?$/;
const BARE = /^([0-9a-f]{64})$/;
const POD_CGROUPFS = /^pod([0-9a-f-]{36})$/;
const POD_SYSTEMD = /^kubepods(?:-[a-z]+)?-pod([0-9a-f_]{36})\.slice$/;

const RUNTIME_BY_PREFIX: Record<string, Runtime> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  crio: 'crio',
  libpod: 'podman',
};

/** The container a cgroup path belongs to, or undefined when the path is not a container's. */
export function containerFromCgroupPath(path: string): ContainerRef | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  for (let i = segments.length - 1; i >= 0; i--) {
    const ref = matchSegment(segments[i] ?? '', segments.slice(0, i));
    if (ref) return ref;
  }
  return undefined;
}

function matchSegment(segment: string, ancestors: string[]): ContainerRef | undefined {
  const prefixed = PREFIXED.exec(segment);
  const bare = prefixed ? undefined : BARE.exec(segment);
  const id = prefixed?.[2] ?? bare?.[1];
  if (id === undefined) return undefined;
  const podUid = findPodUid(ancestors);
  const runtime = prefixed ? (RUNTIME_BY_PREFIX[prefixed[1] ?? ''] ?? 'unknown') : bareRuntime(ancestors);
  return podUid === undefined ? { id, runtime } : { id, runtime, podUid };
}

/** A bare id names its runtime only through an ancestor; under kubepods (cgroupfs driver) it does not. */
function bareRuntime(ancestors: string[]): Runtime {
  if (ancestors.includes('docker')) return 'docker';
  if (ancestors.includes('libpod_parent')) return 'podman';
  return 'unknown';
}

function findPodUid(ancestors: string[]): string | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const s = ancestors[i] ?? '';
    const cgroupfs = POD_CGROUPFS.exec(s);
    if (cgroupfs) return cgroupfs[1];
    const systemd = POD_SYSTEMD.exec(s);
    if (systemd) return (systemd[1] ?? '').replace(/_/g, '-');
  }
  return undefined;
}

/** The container of a process from its /proc/<pid>/cgroup text (any hierarchy line that names one). */
export function containerFromProcCgroup(text: string): ContainerRef | undefined {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const ref = path ? containerFromCgroupPath(path) : undefined;
    if (ref) return ref;
  }
  return undefined;
}
