import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleMarker } from '@fathom/model';
import { decodeBatch, encodeBatch } from '@fathom/protocol';
import { StalenessTracker } from '../src/staleness.js';
import { toBatch } from '../src/batch.js';

const p = (pod: string, value = 1) => ({ labels: { __name__: 'container_cpu_usage_seconds_total', pod }, value });

test('a series gone since the last cycle gets exactly one stale marker, which survives the wire', () => {
  const t = new StalenessTracker();
  assert.deepEqual(t.markers([p('a'), p('b')]), []);
  const markers = t.markers([p('a')]);
  assert.equal(markers.length, 1);
  assert.equal(markers[0]?.labels['pod'], 'b');
  assert.ok(isStaleMarker(markers[0].value));
  assert.deepEqual(t.markers([p('a')]), [], 'only once');
  const batch = decodeBatch(encodeBatch(toBatch({ meta: new Map(), points: markers }, { id: 'x', host: 'h', version: '0' }, 1, 1000)), true);
  assert.ok(isStaleMarker(batch.series[0]!.samples[0]![1]), 'the marker keeps its bits through protocol v1 ("stale")');
});
