/**
 * /proc/meminfo with node-exporter's naming: `Active(anon)` → `Active_anon`; values in kB become
 * bytes and get a `_bytes` suffix; unit-less counts (HugePages_Total) keep their name.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').replace(/\((.*)\)/, '_$1');
    const value = Number(m[2]);
    if (m[3] === 'kB') out.set(`${key}_bytes`, value * 1024);
    else out.set(key, value);
  }
  return out;
}
