/**
 * The library's rule files as plain data: Prometheus' rule-file shape (`groups` → `rules`), read
 * from the YAML shipped in `packages/alerts/library/`, and written back as YAML for the loader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export interface RuleDoc {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  /** Prometheus duration text, e.g. `15m`. */
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface GroupDoc {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RuleDoc[];
}

export interface RuleFileDoc {
  /** File name without directory, e.g. `kubernetes-apps.yaml`. */
  readonly name: string;
  readonly groups: readonly GroupDoc[];
}

/**
 * The folder the library's YAML files ship in (`packages/alerts/library`), found through the
 * package (not this module's URL: the launcher may run this code bundled elsewhere, tools/bundle.mjs).
 */
export const LIBRARY_DIR = fileURLToPath(new URL('library/', import.meta.resolve('@fathom/alerts/package.json')));

/** Reads and parses every `*.yaml` of the library folder, sorted by name. Throws on a broken file (a bug in the product). */
export function readLibrary(dir: string = LIBRARY_DIR): RuleFileDoc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => parseLibraryFile(name, readFileSync(`${dir}/${name}`, 'utf8')));
}

export function parseLibraryFile(name: string, text: string): RuleFileDoc {
  const doc = parse(text) as { groups?: GroupDoc[] } | null;
  if (!doc || !Array.isArray(doc.groups)) throw new Error(`${name}: not a rule file (no "groups" list)`);
  return { name, groups: doc.groups };
}

/** The YAML text of a rule file, in Prometheus' format (what `promtool check rules` reads). */
export function formatRuleFile(file: RuleFileDoc): string {
  return stringify({ groups: file.groups }, { lineWidth: 0 });
}
