// Rule files, evaluation and alert state: see README.md. Built in issue 7.
export { applyOverrides, formatRuleFile, LIBRARY_DIR, libraryRuleFiles, parseRuleFile, readLibrary, replaceNumber, RUNBOOK_BASE_URL, TUNABLES } from './library/index.js';
export type { GroupDoc, LibraryOverrides, OverrideResult, RuleDoc, RuleFileDoc, RuleOverride, Tunable } from './library/index.js';
