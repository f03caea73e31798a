/**
 * Which processes get series this cycle: the top N by CPU used since the last cycle, the top N by
 * resident memory, and (optionally) every process of a container, capped at `maxProcesses`.
 * Pure, so the cardinality rule can be tested on its own.
 */
export interface ProcessCandidate {
  readonly key: string;
  readonly cpuDeltaSeconds: number;
  readonly rssBytes: number;
  readonly inContainer: boolean;
}

export interface SelectionRule {
  readonly topN: number;
  readonly includeContainerProcesses: boolean;
  readonly maxProcesses: number;
}

export interface Selection {
  readonly keys: ReadonlySet<string>;
  /** Processes that qualified but were cut by `maxProcesses`. */
  readonly dropped: number;
}

export function selectProcesses(candidates: readonly ProcessCandidate[], rule: SelectionRule): Selection {
  const byCpu = [...candidates].sort((a, b) => b.cpuDeltaSeconds - a.cpuDeltaSeconds);
  const byRss = [...candidates].sort((a, b) => b.rssBytes - a.rssBytes);
  const ordered: string[] = [];
  const add = (k: string): void => {
    if (!ordered.includes(k)) ordered.push(k);
  };
  for (let i = 0; i < rule.topN; i++) {
    const c = byCpu[i];
    const r = byRss[i];
    if (c) add(c.key);
    if (r) add(r.key);
  }
  if (rule.includeContainerProcesses) for (const c of byCpu) if (c.inContainer) add(c.key);
  const kept = ordered.slice(0, rule.maxProcesses);
  return { keys: new Set(kept), dropped: ordered.length - kept.length };
}
