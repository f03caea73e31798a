/**
 * Per-query memoisation of label work. Selector series keep the same Labels object at every step,
 * so label sets derived from them (name dropped, grouping keys, match signatures) are computed once
 * per series and node instead of once per step. Keyed weakly: nothing outlives the query's objects.
 */
import { labelsKey, labelsOf, METRIC_NAME } from '@fathom/model';
import type { Labels } from '@fathom/model';

const keys = new WeakMap<Labels, string>();

/** labelsKey, cached per Labels object. */
export function keyOf(labels: Labels): string {
  let k = keys.get(labels);
  if (k === undefined) {
    k = labelsKey(labels);
    keys.set(labels, k);
  }
  return k;
}

const nameless = new WeakMap<Labels, Labels>();

/** The labels without `__name__`, cached per Labels object. */
export function dropName(labels: Labels): Labels {
  if (labels[METRIC_NAME] === undefined) return labels;
  let out = nameless.get(labels);
  if (!out) {
    out = labelsOf({ ...labels, [METRIC_NAME]: undefined });
    nameless.set(labels, out);
  }
  return out;
}

/** A derivation of one Labels object (by an AST node's rule), cached per node and Labels object. */
export function derived<T>(node: object, labels: Labels, derive: (l: Labels) => T): T {
  let perNode = derivedCache.get(node) as WeakMap<Labels, T> | undefined;
  if (!perNode) derivedCache.set(node, (perNode = new WeakMap<Labels, T>()));
  let v = perNode.get(labels);
  if (v === undefined) {
    v = derive(labels);
    perNode.set(labels, v);
  }
  return v;
}
const derivedCache = new WeakMap<object, WeakMap<Labels, unknown>>();

/** Like {@link derived} for a pair of Labels objects. */
export function derivedPair<T>(node: object, a: Labels, b: Labels, derive: (a: Labels, b: Labels) => T): T {
  let perNode = pairCache.get(node) as WeakMap<Labels, WeakMap<Labels, T>> | undefined;
  if (!perNode) pairCache.set(node, (perNode = new WeakMap<Labels, WeakMap<Labels, T>>()));
  let inner = perNode.get(a);
  if (!inner) perNode.set(a, (inner = new WeakMap<Labels, T>()));
  let v = inner.get(b);
  if (v === undefined) {
    v = derive(a, b);
    inner.set(b, v);
  }
  return v;
}
const pairCache = new WeakMap<object, WeakMap<Labels, unknown>>();

/**
 * The key of a label subset straight from a label set, without building it: equal to
 * `labelsKey(onlyLabels(l, names))`, or with `without`, to `labelsKey(withoutLabels(l, [__name__, ...names]))`.
 */
export function subsetKeyOf(names: readonly string[], without: boolean): (labels: Labels) => string {
  if (without) {
    const drop = new Set([METRIC_NAME, ...names]);
    return (l) => {
      let key = '';
      for (const name of Object.keys(l).sort()) {
        const value = l[name];
        if (!drop.has(name) && value !== undefined && value !== '') key += `${name}\xff${value}\xfe`;
      }
      return key;
    };
  }
  const kept = [...new Set(names)].sort();
  return (l) => {
    let key = '';
    for (const name of kept) {
      const value = l[name];
      if (value !== undefined && value !== '') key += `${name}\xff${value}\xfe`;
    }
    return key;
  };
}
