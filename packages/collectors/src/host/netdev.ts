/** /proc/net/dev: per-interface byte, packet, error and drop counters (also read per network namespace). */
export interface NetDevStats {
  readonly device: string;
  readonly receiveBytes: number;
  readonly receivePackets: number;
  readonly receiveErrs: number;
  readonly receiveDrop: number;
  readonly transmitBytes: number;
  readonly transmitPackets: number;
  readonly transmitErrs: number;
  readonly transmitDrop: number;
}

export function parseNetDev(text: string): NetDevStats[] {
  const out: NetDevStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16) continue;
    const n = (i: number): number => f[i] ?? 0;
    out.push({
      device,
      receiveBytes: n(0),
      receivePackets: n(1),
      receiveErrs: n(2),
      receiveDrop: n(3),
      transmitBytes: n(8),
      transmitPackets: n(9),
      transmitErrs: n(10),
      transmitDrop: n(11),
    });
  }
  return out;
}
