import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { labelsOf, matcher, matchesAll } from '@fathom/model';
import type { Labels, MatchType } from '@fathom/model';
import { LabelIndex } from '../src/index.js';

const names = ['__name__', 'namespace', 'pod', 'container'];
const valuesOf = ['', 'a', 'b', 'api-1', 'api-2', 'web'];
const labelSet = fc.record(Object.fromEntries(names.map((n) => [n, fc.constantFrom(...valuesOf)]))).map((r) => labelsOf(r));
const regexes = ['a', 'api-.*', '.*', '.+', 'a|b', '', 'w.b', 'x'];
const oneMatcher = fc.tuple(fc.constantFrom(...names, 'missing'), fc.constantFrom<MatchType>('=', '!=', '=~', '!~'), fc.constantFrom(...valuesOf, ...regexes)).map(([n, t, v]) => matcher(n, t, v));

test('label index answers =, !=, =~ and !~ exactly like a brute-force scan (property)', () => {
  fc.assert(
    fc.property(fc.array(labelSet, { maxLength: 60 }), fc.array(oneMatcher, { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 20 }), (sets, ms, removals) => {
      const index = new LabelIndex();
      const live = new Map<number, Labels>();
      sets.forEach((l, i) => {
        index.add(i + 1, l);
        live.set(i + 1, l);
      });
      for (const r of removals) {
        const id = (r % Math.max(1, sets.length)) + 1;
        const l = live.get(id);
        if (l) index.remove(id, l);
        live.delete(id);
      }
      const expected = [...live].filter(([, l]) => matchesAll(l, ms)).map(([id]) => id);
      assert.deepEqual(index.match(ms), expected, ms.map((m) => `${m.name}${m.type}"${m.value}"`).join(','));
    }),
    { numRuns: 500 },
  );
});

test('postings stay sorted when ids arrive out of order (restore from a checkpoint)', () => {
  const index = new LabelIndex();
  for (const id of [5, 2, 9, 1]) index.add(id, labelsOf({ job: 'x' }));
  assert.deepEqual(index.match([matcher('job', '=', 'x')]), [1, 2, 5, 9]);
  assert.equal(index.count('job', 'x'), 4);
});
