/** Set operations on postings: ascending arrays of series ids without duplicates. */

export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

export function subtract(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a.slice();
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && (b[j] ?? 0) < x) j++;
    if (b[j] !== x) out.push(x);
  }
  return out;
}

/** Union of many postings lists. */
export function unionAll(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return (lists[0] ?? []).slice();
  const all: number[] = [];
  for (const l of lists) for (const x of l) all.push(x);
  all.sort((x, y) => x - y);
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[w - 1]) all[w++] = all[r] ?? 0;
  all.length = w;
  return all;
}

/** Inserts `id` keeping the list sorted; no-op when present. */
export function insertSorted(list: number[], id: number): void {
  const last = list[list.length - 1];
  if (last === undefined || last < id) {
    list.push(id);
    return;
  }
  const i = lowerBound(list, id);
  if (list[i] !== id) list.splice(i, 0, id);
}

/** Removes `id` from a sorted list; no-op when absent. */
export function removeSorted(list: number[], id: number): void {
  const i = lowerBound(list, id);
  if (list[i] === id) list.splice(i, 1);
}

function lowerBound(list: readonly number[], id: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] ?? 0) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
