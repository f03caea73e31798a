/**
 * One start-up line when a long-running command runs on glibc without a fixed mmap threshold:
 * glibc then raises the threshold after each large free, large transient buffers land in the brk
 * heap and leave holes, and RSS stays high (the server after a 16,000-series ingest: 369 MB
 * instead of 275). `bin/fathom` sets it; node cannot set it for itself once started.
 */
import type { Logger } from '@fathom/kit';

export const MMAP_THRESHOLD_TUNABLE = 'glibc.malloc.mmap_threshold=131072';

export interface MallocRuntime {
  readonly platform: NodeJS.Platform;
  /** glibc's version at run time; undefined when node does not run on glibc (musl, other OSes). */
  readonly glibcVersion: string | undefined;
  /** `GLIBC_TUNABLES` of this process's environment. */
  readonly tunables: string | undefined;
  /** `MALLOC_MMAP_THRESHOLD_` (glibc's older variable for the same setting), if set. */
  readonly legacyThreshold?: string | undefined;
}

/** The advice to log, or undefined when there is nothing to say (not glibc Linux, or already set). */
export function mallocAdvice(rt: MallocRuntime): string | undefined {
  if (rt.platform !== 'linux') return undefined;
  if ((rt.tunables ?? '').split(':').some((t) => t.startsWith('glibc.malloc.mmap_threshold='))) return undefined;
  if (rt.legacyThreshold !== undefined && rt.legacyThreshold !== '') return undefined;
  if (rt.glibcVersion === undefined) return undefined; // read last: finding it takes a diagnostic report
  return `glibc's malloc is untuned: RSS can be much higher (the server's: +34% measured); start with bin/fathom (without FATHOM_MALLOC_TUNING=off) or set GLIBC_TUNABLES=${MMAP_THRESHOLD_TUNABLE}`;
}

/** This process's runtime, as {@link mallocAdvice} needs it. */
export function currentMallocRuntime(): MallocRuntime {
  return {
    platform: process.platform,
    // a getter: the report is made only when the answer depends on it (not for a launcher start)
    get glibcVersion() {
      return process.platform === 'linux' ? glibcRuntimeVersion() : undefined;
    },
    tunables: process.env['GLIBC_TUNABLES'],
    legacyThreshold: process.env['MALLOC_MMAP_THRESHOLD_'],
  };
}

function glibcRuntimeVersion(): string | undefined {
  // node's diagnostic report names the glibc it runs on (a few ms, once per process).
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: unknown } };
  const v = report.header?.glibcVersionRuntime;
  return typeof v === 'string' ? v : undefined;
}

let advised = false;

/** Logs {@link mallocAdvice} at info level, at most once per process. */
export function adviseMalloc(logger: Logger, rt?: MallocRuntime): void {
  if (advised) return;
  advised = true;
  const advice = mallocAdvice(rt ?? currentMallocRuntime());
  if (advice !== undefined) logger.info(advice);
}
