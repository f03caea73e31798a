/** Zod types for human-friendly units: durations (`10s`) and byte sizes (`256MiB`). */
import { parseDurationMs } from '@fathom/model';
import { z } from 'zod';

/** A duration as a Prometheus duration string (`10s`, `1h30m`) or a number of milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDurationMs(v);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration like "10s" or "1h30m", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** A byte size as a number or a string with a unit (`512MiB`, `2GB`). */
export const byteSize = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bytes = typeof v === 'number' ? v : parseSize(v);
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive size like "256MiB" or a number of bytes, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return Math.floor(bytes);
});

function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2] ?? ''];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** A TCP port number; strings from flags are accepted when they are integers. */
export const port = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected a port number from 0 to 65535, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});
