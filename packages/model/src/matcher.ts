/** Label matchers with PromQL semantics. */
import type { Labels } from './labels.js';
import { compileRe2Anchored } from './re2.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A single label matcher. Regexes are fully anchored, as in PromQL. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** True when a label value (missing labels are '') satisfies the matcher. */
  matches(value: string): boolean;
}

/** Thrown for a regular expression that does not compile. */
export class InvalidMatcherError extends Error {
  override readonly name = 'InvalidMatcherError';
}

/** Builds a matcher; throws {@link InvalidMatcherError} for a bad regex. */
export function matcher(name: string, type: MatchType, value: string): Matcher {
  const test = buildTest(type, value);
  return { name, type, value, matches: test };
}

function buildTest(type: MatchType, value: string): (v: string) => boolean {
  switch (type) {
    case '=':
      return (v) => v === value;
    case '!=':
      return (v) => v !== value;
    case '=~': {
      const re = compileAnchored(value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileAnchored(value);
      return (v) => !re.test(v);
    }
  }
}

function compileAnchored(source: string): RegExp {
  try {
    return compileRe2Anchored(source);
  } catch (err) {
    throw new InvalidMatcherError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/** True when every matcher accepts the label set. */
export function matchesAll(labels: Labels, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) if (!m.matches(labels[m.name] ?? '')) return false;
  return true;
}
