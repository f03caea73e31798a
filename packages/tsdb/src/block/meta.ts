/**
 * A block's `meta.json` (docs/formats/tsdb-block.md): identity, time range, stats, compaction
 * lineage, the tier it holds and the sizes and checksums of its files. Pure: parse, validate, ids.
 */
import { randomBytes } from 'node:crypto';

export const BLOCK_VERSION = 1;

export interface BlockFileInfo {
  readonly bytes: number;
  readonly crc32: number;
}

export interface BlockMeta {
  readonly version: number;
  /** Sortable id: 12 hex digits of creation time in ms, then 10 random hex digits. */
  readonly id: string;
  /** Inclusive start, exclusive end of the block's time partition. */
  readonly minTMs: number;
  readonly maxTMs: number;
  /** 0 for raw samples, else the rollup tier's bucket width. */
  readonly resolutionMs: number;
  readonly stats: { readonly series: number; readonly chunks: number; readonly samples: number };
  readonly compaction: { readonly level: number; readonly sources: readonly string[] };
  readonly files: { readonly index: BlockFileInfo; readonly chunks: BlockFileInfo };
}

const ID = /^[0-9a-f]{22}$/;

export function newBlockId(nowMs: number): string {
  return Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12) + randomBytes(5).toString('hex');
}

export function isBlockId(name: string): boolean {
  return ID.test(name);
}

/** Parses and validates meta.json text; a string names what is wrong. */
export function parseMeta(text: string, dirName: string): BlockMeta | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return `meta.json is not JSON (${(err as Error).message})`;
  }
  if (typeof m !== 'object' || m === null) return 'meta.json is not an object';
  const o = m as Record<string, unknown>;
  if (o['version'] !== BLOCK_VERSION) return `meta.json has unsupported version ${JSON.stringify(o['version'])} (this build reads ${BLOCK_VERSION})`;
  if (o['id'] !== dirName) return `meta.json names block ${JSON.stringify(o['id'])}, not its directory ${dirName}`;
  for (const k of ['minTMs', 'maxTMs', 'resolutionMs'] as const) if (!Number.isSafeInteger(o[k])) return `meta.json field ${k} is not an integer`;
  if ((o['minTMs'] as number) >= (o['maxTMs'] as number)) return 'meta.json has minTMs ≥ maxTMs';
  const stats = o['stats'] as Record<string, unknown> | undefined;
  if (!stats || !['series', 'chunks', 'samples'].every((k) => Number.isSafeInteger(stats[k]))) return 'meta.json field stats is incomplete';
  const comp = o['compaction'] as Record<string, unknown> | undefined;
  if (!comp || !Number.isSafeInteger(comp['level']) || !Array.isArray(comp['sources']) || !comp['sources'].every((s) => typeof s === 'string')) return 'meta.json field compaction is incomplete';
  const files = o['files'] as Record<string, Record<string, unknown> | undefined> | undefined;
  for (const f of ['index', 'chunks']) {
    const info = files?.[f];
    if (!info || !Number.isSafeInteger(info['bytes']) || !Number.isSafeInteger(info['crc32'])) return `meta.json field files.${f} is incomplete`;
  }
  return m as BlockMeta;
}
