/** The functions that need more than values: time, vector, scalar, absent*, timestamp, sort*, labels, histograms. */
import { labelsOf, METRIC_NAME } from '@fathom/model';
import type { Call, Expr } from './ast.js';
import { dropName } from './binary.js';
import { QueryError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { unique } from './evaluator.js';
import { histogramQuantile } from './fn-histogram.js';
import { labelJoiner, labelReplacer } from './fn-label.js';
import { byValueNaNFirst } from './stats.js';
import type { InstantValue, VectorSample } from './value.js';

export function callSpecial(ev: Evaluator, e: Call, tMs: number): InstantValue {
  const [a0, a1, a2, a3, a4] = e.args;
  const vec = (samples: readonly VectorSample[]): InstantValue => ({ type: 'vector', samples });
  const str = (a: Expr | undefined): string => (a?.kind === 'string' ? a.value : '');
  switch (e.func) {
    case 'time':
      return { type: 'scalar', value: tMs / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'vector':
      return vec([{ labels: labelsOf({}), value: ev.scalar(a0, tMs, NaN) }]);
    case 'scalar': {
      const samples = a0 ? ev.vector(a0, tMs) : [];
      return { type: 'scalar', value: samples.length === 1 ? (samples[0]?.value ?? NaN) : NaN };
    }
    case 'absent':
      return vec(a0 && ev.vector(a0, tMs).length === 0 ? [{ labels: absentLabels(a0), value: 1 }] : []);
    case 'absent_over_time': {
      if (!a0) return vec([]);
      const m = ev.matrix(a0, tMs);
      return vec(m.series.length === 0 ? [{ labels: absentLabels(a0), value: 1 }] : []);
    }
    case 'timestamp':
      return vec((a0 ? ev.vector(a0, tMs) : []).map((s) => ({ labels: dropName(s.labels), value: (s.tMs ?? tMs) / 1000 })));
    case 'sort':
      return vec([...(a0 ? ev.vector(a0, tMs) : [])].sort((x, y) => byValueNaNFirst(x.value, y.value)));
    case 'sort_desc':
      return vec([...(a0 ? ev.vector(a0, tMs) : [])].sort((x, y) => byValueNaNFirst(y.value, x.value)));
    case 'histogram_quantile':
      return vec(a1 ? histogramQuantile(ev.scalar(a0, tMs, NaN), ev.vector(a1, tMs)) : []);
    case 'label_replace': {
      const f = labelReplacer(str(a1), str(a2), str(a3), str(a4));
      return vec(unique((a0 ? ev.vector(a0, tMs) : []).map((s) => ({ labels: f(s.labels), value: s.value })), e.func));
    }
    case 'label_join': {
      const f = labelJoiner(str(a1), str(a2), e.args.slice(3).map(str));
      return vec(unique((a0 ? ev.vector(a0, tMs) : []).map((s) => ({ labels: f(s.labels), value: s.value })), e.func));
    }
    case 'histogram_count':
    case 'histogram_sum':
    case 'histogram_avg':
    case 'histogram_stddev':
    case 'histogram_stdvar':
    case 'histogram_fraction':
      return vec([]);
    default:
      throw new QueryError('bad_data', `unknown function ${e.func}`);
  }
}

/** absent()'s output labels: the selector's equality matchers (name excluded, repeated names dropped). */
function absentLabels(arg: Expr): ReturnType<typeof labelsOf> {
  const sel = arg.kind === 'vector' ? arg : arg.kind === 'matrix' ? arg.vector : undefined;
  if (!sel) return labelsOf({});
  const out: Record<string, string | undefined> = {};
  const seen = new Set<string>();
  for (const m of sel.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !seen.has(m.name)) out[m.name] = m.value;
    else out[m.name] = undefined;
    seen.add(m.name);
  }
  return labelsOf(out);
}
