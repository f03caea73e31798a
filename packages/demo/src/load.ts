/**
 * The usage model: diurnal load, per-container CPU and memory, request rates and latency. Pure
 * functions of time and identity (deterministic with the seed).
 */
import { hashString, noise, unit } from './rng.js';
import type { ContainerSpec, LoadProfile } from './topology.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Daily traffic shape in 0.3..1: lowest at 03:00 UTC, highest at 15:00 UTC, a lunch dip. */
export function diurnal(tMs: number): number {
  const h = ((tMs % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS;
  const base = 0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 3)) / 24);
  const lunch = 0.06 * Math.exp(-((h - 12.5) ** 2) / 0.5);
  return 0.3 + 0.7 * base - lunch;
}

/** Slow wander (minutes) plus sample noise, around 1. */
export function wobble(seed: number, key: number, tMs: number, amount: number): number {
  const phase = unit(seed, key, -1) * 2 * Math.PI;
  const slow = Math.sin(tMs / (17 * 60_000) + phase) * 0.5 + Math.sin(tMs / (41 * 60_000) + 2 * phase) * 0.5;
  return 1 + amount * (0.6 * slow + 0.4 * noise(seed, key, Math.floor(tMs / 10_000)));
}

/** How busy a container of this profile is, relative to its base, at `tMs`. */
export function profileLoad(profile: LoadProfile, seed: number, key: number, tMs: number): number {
  const d = diurnal(tMs);
  switch (profile) {
    case 'web':
      return d;
    case 'backend':
      return 0.3 + 0.7 * d;
    case 'steady':
      return 0.6 + 0.3 * d;
    case 'system':
      return 0.8 + 0.3 * d;
    case 'batch': {
      // A 15-minute burst every hour, at a phase of its own.
      const phaseMs = Math.floor(unit(seed, key, -2) * HOUR_MS);
      const inHour = (((tMs + phaseMs) % HOUR_MS) + HOUR_MS) % HOUR_MS;
      return inHour < 15 * 60_000 ? 1 : 0.08;
    }
  }
}

export function cpuCores(c: ContainerSpec, seed: number, key: number, tMs: number, factor: number): number {
  const v = c.cpuBaseCores * profileLoad(c.profile, seed, key, tMs) * wobble(seed, key, tMs, 0.15) * factor;
  return Math.max(0.001, c.cpuLimitCores === undefined ? v : Math.min(v, c.cpuLimitCores));
}

export function workingSetBytes(c: ContainerSpec, seed: number, key: number, tMs: number): number {
  const load = profileLoad(c.profile, seed, key, tMs);
  const v = c.memBaseBytes * (0.82 + 0.18 * load) * wobble(seed, key ^ 0x5bd1e995, tMs, 0.03);
  return c.memLimitBytes === undefined ? v : Math.min(v, c.memLimitBytes * 0.97);
}

/** Latency buckets (seconds) of `http_request_duration_seconds`. */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Share of requests at or under `leS` when latencies are exponential with mean `meanS`. */
export function latencyCdf(leS: number, meanS: number): number {
  return 1 - Math.exp(-leS / meanS);
}

export { hashString };
