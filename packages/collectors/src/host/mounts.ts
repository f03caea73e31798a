/** /proc/mounts, filtered with node-exporter's default exclusions for the filesystem metrics. */
export interface Mount {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly readonly: boolean;
}

export const DEFAULT_FSTYPE_EXCLUDE =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;
export const DEFAULT_MOUNTPOINT_EXCLUDE = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype, options] = line.split(' ');
    if (!device || !mountpoint || !fstype) continue;
    const mp = unescapeOctal(mountpoint);
    if (DEFAULT_FSTYPE_EXCLUDE.test(fstype) || DEFAULT_MOUNTPOINT_EXCLUDE.test(mp) || seen.has(mp)) continue;
    seen.add(mp);
    out.push({ device: unescapeOctal(device), mountpoint: mp, fstype, readonly: (options ?? '').split(',').includes('ro') });
  }
  return out;
}

/** The kernel escapes space, tab, newline and backslash in mount paths as `\040` etc. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
