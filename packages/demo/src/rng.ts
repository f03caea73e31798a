/**
 * Deterministic randomness. Values are pure functions of (seed, key, index), never of call order,
 * so a replay with the same seed yields the same numbers whatever was generated before.
 */

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit integer mixer (murmur3 finaliser). */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) determined by the seed, a key and an index. */
export function unit(seed: number, key: number, index: number): number {
  return mix(mix(seed ^ key) ^ Math.imul(index | 0, 0x9e3779b1)) / 4294967296;
}

/** A number in [-1, 1), centred noise. */
export function noise(seed: number, key: number, index: number): number {
  return unit(seed, key, index) * 2 - 1;
}

/** A short lowercase id like Kubernetes' generated name suffixes. */
export function suffix(seed: number, key: string, length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  const k = hashString(key);
  for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(unit(seed, k, i) * alphabet.length));
  return out;
}
