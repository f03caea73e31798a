import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, labelsKey, labelsOf, sanitizeLabelName, withoutLabels } from '../src/index.js';

test('labelsOf sorts names and drops empty values', () => {
  const l = labelsOf({ b: '2', a: '1', c: '' });
  assert.deepEqual(Object.keys(l), ['a', 'b']);
  assert.ok(Object.isFrozen(l));
});

test('labelsKey is equal for equal sets and differs otherwise', () => {
  assert.equal(labelsKey(labelsOf({ a: '1', b: '2' })), labelsKey(labelsOf({ b: '2', a: '1' })));
  assert.notEqual(labelsKey(labelsOf({ a: '1', b: '2' })), labelsKey(labelsOf({ a: '12' })));
  assert.notEqual(labelsKey(labelsOf({ ab: '1' })), labelsKey(labelsOf({ a: 'b1' })));
});

test('sanitizeLabelName follows Prometheus relabel rules', () => {
  const cases: [string, string][] = [
    ['com.docker.compose.project', 'com_docker_compose_project'],
    ['io.kubernetes/pod-name', 'io_kubernetes_pod_name'],
    ['1abc', '_1abc'],
    ['ok_name', 'ok_name'],
  ];
  for (const [raw, want] of cases) assert.equal(sanitizeLabelName(raw), want, raw);
});

test('withoutLabels and formatLabels', () => {
  const l = labelsOf({ __name__: 'up', job: 'x', instance: 'y' });
  assert.equal(formatLabels(withoutLabels(l, ['instance'])), 'up{job="x"}');
});
