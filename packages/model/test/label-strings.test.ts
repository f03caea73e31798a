import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelStrings, labelsOf } from '../src/index.js';

test('LabelStrings: one entry per distinct value; internLabels copies a set once (frozen, equal), then returns it as is', () => {
  const t = new LabelStrings();
  const a = labelsOf({ __name__: 'up', namespace: 'ns-1', pod: 'p-1' });
  const b = labelsOf({ __name__: 'up', namespace: `ns-${String(1)}`, pod: 'p-2' });
  const ia = t.internLabels(a);
  assert.notEqual(ia, a, 'a set not made here is copied');
  assert.deepEqual(ia, a);
  assert.ok(Object.isFrozen(ia));
  assert.deepEqual(Object.keys(ia), Object.keys(a), 'name order kept');
  assert.equal(t.internLabels(ia), ia, 'a set made here is returned as is');
  assert.deepEqual(t.internLabels(b), b);
  assert.equal(t.size, 4, 'up, ns-1, p-1, p-2');
  assert.equal(t.intern('ns-1'), 'ns-1');
  assert.equal(t.size, 4);
});

test('LabelStrings: rebuild keeps only the values of the live sets', () => {
  const t = new LabelStrings();
  const live = t.internLabels(labelsOf({ __name__: 'up', pod: 'p-live' }));
  for (let i = 0; i < 100; i++) t.internLabels(labelsOf({ __name__: 'up', pod: `p-${i}` }));
  assert.equal(t.size, 102);
  t.rebuild([live]);
  assert.equal(t.size, 2);
  assert.equal(t.sizeAtRebuild, 2);
  assert.equal(t.internLabels(live), live, 'still known as interned');
});

test('LabelStrings: adopt freezes a set built from interned values and takes it as is afterwards', () => {
  const t = new LabelStrings();
  const record: Record<string, string> = { __name__: t.intern('up'), pod: t.intern('p-1') };
  const adopted = t.adopt(record);
  assert.equal(adopted, record, 'no copy');
  assert.ok(Object.isFrozen(adopted));
  assert.equal(t.internLabels(adopted), adopted);
  assert.equal(t.size, 2);
});
