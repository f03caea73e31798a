/**
 * Label matchers as data (`{ name, type, value }`), the form used by routes, silences and their
 * API. Compiled into `@fathom/model` matchers (anchored regexes, PromQL semantics).
 */
import { InvalidMatcherError, isValidLabelName, matcher } from '@fathom/model';
import type { MatchType, Matcher } from '@fathom/model';

/** A matcher as it is stored and sent over the wire. */
export interface MatcherSpec {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

const TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

/** Compiles matcher specs; throws {@link InvalidMatcherError} naming the bad one. */
export function compileMatchers(specs: readonly MatcherSpec[]): Matcher[] {
  return specs.map((s, i) => {
    if (!isValidLabelName(s.name)) throw new InvalidMatcherError(`matchers[${i}]: invalid label name ${JSON.stringify(s.name)}`);
    if (!TYPES.includes(s.type)) throw new InvalidMatcherError(`matchers[${i}]: type must be one of = != =~ !~, got ${JSON.stringify(s.type)}`);
    try {
      return matcher(s.name, s.type, s.value);
    } catch (err) {
      throw new InvalidMatcherError(`matchers[${i}]: ${(err as Error).message}`);
    }
  });
}

/**
 * Parses Alertmanager's text form, `name="value"`, `name=~"re"` (quotes optional for simple values).
 *
 * @example parseMatcherText('severity=~"critical|page"') // { name: 'severity', type: '=~', value: 'critical|page' }
 */
export function parseMatcherText(text: string): MatcherSpec {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new InvalidMatcherError(`bad matcher ${JSON.stringify(text)}: expected name="value" with = != =~ or !~`);
  const raw = m[3] ?? '';
  let value = raw;
  if (raw.startsWith('"')) {
    try {
      value = JSON.parse(raw) as string;
    } catch {
      throw new InvalidMatcherError(`bad matcher ${JSON.stringify(text)}: unterminated or malformed quoted value`);
    }
  }
  const spec = { name: m[1] ?? '', type: m[2] as MatchType, value };
  compileMatchers([spec]);
  return spec;
}

/** `name="value"` text of a spec (Alertmanager's and PromQL's form). */
export function formatMatcher(spec: MatcherSpec): string {
  return `${spec.name}${spec.type}${JSON.stringify(spec.value)}`;
}
