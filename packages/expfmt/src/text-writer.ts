/**
 * Writes a MetricSet in the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Points of one metric name are
 * grouped under one HELP/TYPE header, as the format requires; families are sorted by name.
 */
import { METRIC_NAME, formatFloat } from '@fathom/model';
import type { MetricSet, Point } from '@fathom/model';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function writeText(set: MetricSet): string {
  const byName = groupByName(set.points);
  const out: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const meta = set.meta.get(name);
    if (meta) {
      out.push(`# HELP ${name} ${escapeHelp(meta.help)}`);
      out.push(`# TYPE ${name} ${meta.type}`);
    }
    for (const p of byName.get(name) ?? []) out.push(`${name}${formatLabelPairs(p)} ${formatFloat(p.value)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function groupByName(points: readonly Point[]): Map<string, Point[]> {
  const byName = new Map<string, Point[]>();
  for (const p of points) {
    const name = p.labels[METRIC_NAME] ?? '';
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(p);
  }
  return byName;
}

function formatLabelPairs(p: Point): string {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(p.labels)) if (k !== METRIC_NAME) pairs.push(`${k}="${escapeLabelValue(v)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
