import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { MetricSet, Point } from '@fathom/model';

/** Absolute path of a file under this package's testdata/. */
export const testdata = (rel: string): string => fileURLToPath(new URL(`../../testdata/${rel}`, import.meta.url));

export const fixtureText = (rel: string): string => readFileSync(testdata(rel), 'utf8').trim();

/** Compares text with a golden file; `UPDATE_GOLDEN=1` rewrites it. */
export function assertGolden(rel: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(testdata(rel), actual);
  assert.equal(actual, readFileSync(testdata(rel), 'utf8'), `output differs from golden ${rel} (UPDATE_GOLDEN=1 to accept)`);
}

/** Points of one metric whose labels include all of `match`. */
export function pointsOf(set: MetricSet, name: string, match: Record<string, string> = {}): Point[] {
  return set.points.filter((p) => p.labels['__name__'] === name && Object.entries(match).every(([k, v]) => p.labels[k] === v));
}

/** The single value of a metric; fails when there is not exactly one point. */
export function valueOf(set: MetricSet, name: string, match: Record<string, string> = {}): number {
  const pts = pointsOf(set, name, match);
  assert.equal(pts.length, 1, `expected one ${name}${JSON.stringify(match)}, got ${pts.length}`);
  return pts[0]?.value ?? NaN;
}
