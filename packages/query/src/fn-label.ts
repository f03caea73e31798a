/** label_replace and label_join: pure label rewriting with Prometheus' error messages. */
import { compileRe2Anchored, isValidLabelName, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { QueryError } from './errors.js';

/** Compiles label_replace's regex, anchored as Prometheus anchors it. */
export function labelReplacer(dst: string, replacement: string, src: string, regex: string): (labels: Labels) => Labels {
  let re: RegExp;
  try {
    re = compileRe2Anchored(regex);
  } catch (err) {
    throw new QueryError('execution', `invalid regular expression in label_replace(): ${regex}: ${(err as Error).message}`);
  }
  if (!isValidLabelName(dst)) throw new QueryError('execution', `invalid destination label name in label_replace(): ${dst}`);
  return (labels) => {
    const m = re.exec(labels[src] ?? '');
    if (!m) return labels;
    return labelsOf({ ...labels, [dst]: expand(replacement, m) });
  };
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_all, _x: string, braced: string | undefined, bare: string | undefined) => {
    if (_x === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

export function labelJoiner(dst: string, sep: string, srcs: readonly string[]): (labels: Labels) => Labels {
  if (!isValidLabelName(dst)) throw new QueryError('execution', `invalid destination label name in label_join(): ${dst}`);
  for (const s of srcs) if (!isValidLabelName(s)) throw new QueryError('execution', `invalid source label name in label_join(): ${s}`);
  return (labels) => labelsOf({ ...labels, [dst]: srcs.map((s) => labels[s] ?? '').join(sep) });
}
