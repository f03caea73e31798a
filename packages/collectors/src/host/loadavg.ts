/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } | undefined {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (a === undefined || b === undefined || c === undefined || [a, b, c].some(Number.isNaN)) return undefined;
  return { load1: a, load5: b, load15: c };
}
