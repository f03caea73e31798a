export {
  METRIC_NAME,
  formatLabels,
  isValidLabelName,
  isValidMetricName,
  labelsKey,
  labelsOf,
  metricNameOf,
  onlyLabels,
  sanitizeLabelName,
  withoutLabels,
} from './labels.js';
export type { Labels } from './labels.js';
export { LabelStrings, labelStrings, MIN_REBUILD_ENTRIES } from './label-strings.js';
export { InvalidMatcherError, matcher, matchesAll } from './matcher.js';
export { Re2SyntaxError, compileRe2Anchored, translateRe2 } from './re2.js';
export type { TranslatedRegex } from './re2.js';
export type { MatchType, Matcher } from './matcher.js';
export type { MetricMeta, MetricSet, MetricType, Millis, Point, Sample } from './metric.js';
export { MetricSetBuilder } from './metric-set-builder.js';
export { formatDurationMs, parseDurationMs } from './time.js';
export { STALE_NAN, STALE_NAN_BITS, formatFloat, isStaleMarker, parseFloatStrict } from './value-format.js';
