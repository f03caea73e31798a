import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventValidationError, parseEvent, parseEventsBody } from '../src/index.js';

const OK = {
  atMs: 1764000000000,
  type: 'Warning',
  reason: 'OOMKilled',
  message: 'container app was OOM killed',
  source: 'kubernetes',
  count: 2,
  object: { kind: 'Pod', name: 'api-7d9f-abcde', namespace: 'prod' },
  labels: { cluster: 'c1', namespace: 'prod', workload_kind: 'Deployment', workload: 'api', pod: 'api-7d9f-abcde' },
};

test('a valid event round-trips; count and labels default', () => {
  assert.deepEqual(parseEvent(OK), OK);
  const minimal: Record<string, unknown> = { ...OK };
  delete minimal['count'];
  delete minimal['labels'];
  const e = parseEvent(minimal);
  assert.equal(e.count, 1);
  assert.deepEqual(e.labels, {});
});

// Each bad input → the error names the field.
const BAD: [string, (e: Record<string, unknown>) => unknown, string][] = [
  ['not an object', () => 5, 'events[0]'],
  ['atMs missing', (e) => ({ ...e, atMs: undefined }), 'events[0].atMs'],
  ['atMs fractional', (e) => ({ ...e, atMs: 1.5 }), 'events[0].atMs'],
  ['atMs as string', (e) => ({ ...e, atMs: '2026-01-01' }), 'events[0].atMs'],
  ['type unknown', (e) => ({ ...e, type: 'Error' }), 'events[0].type'],
  ['source unknown', (e) => ({ ...e, source: 'syslog' }), 'events[0].source'],
  ['reason empty', (e) => ({ ...e, reason: '' }), 'events[0].reason'],
  ['reason too long', (e) => ({ ...e, reason: 'x'.repeat(300) }), 'events[0].reason'],
  ['message not a string', (e) => ({ ...e, message: 3 }), 'events[0].message'],
  ['count zero', (e) => ({ ...e, count: 0 }), 'events[0].count'],
  ['object without name', (e) => ({ ...e, object: { kind: 'Pod' } }), 'events[0].object.name'],
  ['label value not a string', (e) => ({ ...e, labels: { pod: 1 } }), 'events[0].labels.pod'],
  ['label name invalid', (e) => ({ ...e, labels: { 'app.kubernetes.io/name': 'x' } }), 'events[0].labels.app.kubernetes.io/name'],
  ['unknown field', (e) => ({ ...e, severity: 'high' }), 'events[0].severity'],
];
for (const [name, mutate, field] of BAD) {
  test(`invalid: ${name} → error names ${field}`, () => {
    assert.throws(
      () => parseEventsBody({ events: [mutate({ ...OK })] }, 10),
      (err: unknown) => err instanceof EventValidationError && err.field === field && err.message.startsWith(`${field}: `),
    );
  });
}

test('the body must hold an events array within the limit', () => {
  assert.throws(() => parseEventsBody({}, 10), /^EventValidationError: events: must be an array|events: must be an array/);
  assert.throws(() => parseEventsBody({ events: [OK, OK, OK] }, 2), /events: has 3 items, more than the limit of 2/);
  assert.throws(() => parseEventsBody([], 2), /body: must be an object/);
});
