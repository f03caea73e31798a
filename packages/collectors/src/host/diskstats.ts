/** /proc/diskstats (Documentation/admin-guide/iostats.rst), with node-exporter's units. */

/** Sectors in /proc/diskstats are always 512 bytes, whatever the device's sector size. */
const SECTOR_BYTES = 512;

/** node-exporter's default: skip partitions, loop and ram devices. */
export const DEFAULT_DISK_EXCLUDE = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p|mmcblk\d+p)\d+$/;

export interface DiskStats {
  readonly major: number;
  readonly minor: number;
  readonly device: string;
  readonly readsCompleted: number;
  readonly readsMerged: number;
  readonly readBytes: number;
  readonly readTimeSeconds: number;
  readonly writesCompleted: number;
  readonly writesMerged: number;
  readonly writtenBytes: number;
  readonly writeTimeSeconds: number;
  readonly ioNow: number;
  readonly ioTimeSeconds: number;
  readonly ioTimeWeightedSeconds: number;
}

export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = (i: number): number => Number(f[i]);
    out.push({
      major: n(0),
      minor: n(1),
      device: f[2] ?? '',
      readsCompleted: n(3),
      readsMerged: n(4),
      readBytes: n(5) * SECTOR_BYTES,
      readTimeSeconds: n(6) / 1000,
      writesCompleted: n(7),
      writesMerged: n(8),
      writtenBytes: n(9) * SECTOR_BYTES,
      writeTimeSeconds: n(10) / 1000,
      ioNow: n(11),
      ioTimeSeconds: n(12) / 1000,
      ioTimeWeightedSeconds: n(13) / 1000,
    });
  }
  return out;
}
