/** The alert state file: round trip (NaN values included), and every kind of damage refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf } from '@fathom/model';
import { decodeState, encodeState, encodeStateInSlices } from '../src/index.js';
import type { SavedState } from '../src/index.js';

const STATE: SavedState = {
  savedAtMs: 1_764_000_000_000,
  rules: [{ file: 'a.yaml', group: 'g', rule: 'R', index: 1, alerts: [{ labels: labelsOf({ alertname: 'R', pod: 'p' }), annotations: labelsOf({ summary: 's' }), value: NaN, state: 'firing', activeAtMs: 1, firedAtMs: 2 }] }],
};

test('state round-trips; NaN values come back as NaN', () => {
  const back = decodeState(encodeState(STATE));
  assert.equal(back.savedAtMs, STATE.savedAtMs);
  assert.deepEqual(back.rules[0]?.alerts[0]?.labels, { alertname: 'R', pod: 'p' });
  assert.ok(Number.isNaN(back.rules[0]?.alerts[0]?.value));
  assert.equal(back.rules[0]?.alerts[0]?.firedAtMs, 2);
});

test('encoding in slices gives the same bytes, with a pause between rules', async () => {
  const two: SavedState = { ...STATE, rules: [...STATE.rules, { ...STATE.rules[0]!, rule: 'S', index: 0 }] };
  for (const s of [two, { savedAtMs: 5, rules: [] }]) {
    let pauses = 0;
    assert.equal(await encodeStateInSlices(s, () => (pauses++, Promise.resolve())), encodeState(s));
    assert.equal(pauses, s.rules.length + 2);
  }
});

const DAMAGE: readonly [string, (text: string) => string, RegExp][] = [
  ['an edited body', (t) => t.replace('"firing"', '"pending"'), /checksum mismatch/],
  ['a torn write', (t) => t.slice(0, t.length - 10), /checksum mismatch/],
  ['another file', () => 'hello\n{}', /bad magic/],
  ['a future version', (t) => t.replace('FATHOM-ALERT-STATE 1', 'FATHOM-ALERT-STATE 2'), /unsupported alert state version 2/],
];

for (const [what, damage, message] of DAMAGE) {
  test(`state file with ${what} is refused`, () => {
    assert.throws(() => decodeState(damage(encodeState(STATE))), message);
  });
}
