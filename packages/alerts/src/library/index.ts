/** The Kubernetes alert library: rule files shipped with Fathom, tuned by the server config. */
import { applyOverrides } from './overrides.js';
import type { LibraryOverrides } from './overrides.js';
import { formatRuleFile, readLibrary } from './rule-file.js';

export { applyOverrides, replaceNumber, RUNBOOK_BASE_URL } from './overrides.js';
export type { LibraryOverrides, OverrideResult, RuleOverride } from './overrides.js';
export { formatRuleFile, LIBRARY_DIR, parseLibraryFile, readLibrary } from './rule-file.js';
export type { GroupDoc, RuleDoc, RuleFileDoc } from './rule-file.js';
export { TUNABLES } from './tunables.js';
export type { Tunable } from './tunables.js';

/**
 * The library's rule files after the overrides, as YAML texts named `library-<file>` for the rule
 * manager's `builtin` files; an error value names the bad override key.
 */
export function libraryRuleFiles(o: LibraryOverrides = {}): { ok: true; files: { name: string; text: string }[] } | { ok: false; error: string } {
  if (o.enabled === false) return { ok: true, files: [] }; // not read at all: ~15 ms of YAML at every start
  const r = applyOverrides(readLibrary(), o);
  if (!r.ok) return r;
  return { ok: true, files: r.files.map((f) => ({ name: `library-${f.name}`, text: formatRuleFile(f) })) };
}
