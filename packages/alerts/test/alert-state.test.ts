/**
 * The alert state machine, table-driven: each case is a condition timeline (1 = the result is
 * present at that evaluation) and the state expected after each evaluation, at a 1-minute step.
 * The cases mirror Prometheus' semantics of `for` and `keep_firing_for` (also checked against
 * promtool by the testdata/promtool fixtures).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf } from '@fathom/model';
import { stepAlerts } from '../src/index.js';
import type { ActiveAlert } from '../src/index.js';

interface Case {
  readonly name: string;
  readonly forMin: number;
  readonly keepMin: number;
  readonly present: string;
  /** p = pending, F = firing, r = resolved (inactive, kept), . = no alert */
  readonly states: string;
}

const CASES: readonly Case[] = [
  { name: 'for 0 fires at once and resolves when gone', forMin: 0, keepMin: 0, present: '0110', states: '.FFr' },
  { name: 'for 2m: pending two evaluations, then firing', forMin: 2, keepMin: 0, present: '11111', states: 'ppFFF' },
  { name: 'a blip shorter than for never fires', forMin: 2, keepMin: 0, present: '1101', states: 'pp.p' },
  { name: 'keep_firing_for holds a firing alert through a gap', forMin: 0, keepMin: 2, present: '1001', states: 'FFFF' },
  { name: 'keep_firing_for ends: resolved after the gap lasts that long', forMin: 0, keepMin: 2, present: '10000', states: 'FFFrr' },
  { name: 'keep_firing_for does not keep a pending alert', forMin: 2, keepMin: 5, present: '1100', states: 'pp..' },
  { name: 'a resolved alert that comes back must pass for again', forMin: 1, keepMin: 0, present: '1101100', states: 'pFrpFrr' },
  { name: 'resolved alerts are dropped after 15 minutes', forMin: 0, keepMin: 0, present: '10000000000000000000', states: 'Frrrrrrrrrrrrrrrr...' },
];

const CODE: Record<string, string> = { pending: 'p', firing: 'F', inactive: 'r' };

for (const c of CASES) {
  test(`state machine: ${c.name}`, () => {
    let active = new Map<string, ActiveAlert>();
    const got: string[] = [];
    const labels = labelsOf({ alertname: 'A' });
    Array.from(c.present, (p) => p).forEach((p, i) => {
      const candidates = p === '1' ? [{ key: 'a', labels, annotations: labelsOf({}), value: i }] : [];
      active = stepAlerts(active, candidates, i * 60_000, { forMs: c.forMin * 60_000, keepFiringForMs: c.keepMin * 60_000 }).active;
      const a = active.get('a');
      got.push(a ? (CODE[a.state] ?? '?') : '.');
    });
    assert.equal(got.join(''), c.states);
  });
}

test('transitions carry activeAt, firedAt and resolvedAt; value and annotations update while active', () => {
  const labels = labelsOf({ alertname: 'A' });
  const cand = (v: number) => [{ key: 'a', labels, annotations: labelsOf({ v: String(v) }), value: v }];
  const opts = { forMs: 60_000, keepFiringForMs: 0 };
  const s1 = stepAlerts(new Map(), cand(1), 0, opts);
  assert.deepEqual(s1.transitions.map((t) => `${t.from}>${t.to}`), ['none>pending']);
  const s2 = stepAlerts(s1.active, cand(2), 60_000, opts);
  assert.deepEqual(s2.transitions.map((t) => `${t.from}>${t.to}`), ['pending>firing']);
  const a2 = s2.active.get('a');
  assert.equal(a2?.activeAtMs, 0);
  assert.equal(a2?.firedAtMs, 60_000);
  assert.equal(a2?.value, 2);
  assert.equal(a2?.annotations['v'], '2');
  const s3 = stepAlerts(s2.active, [], 120_000, opts);
  assert.deepEqual(s3.transitions.map((t) => `${t.from}>${t.to}`), ['firing>inactive']);
  assert.equal(s3.active.get('a')?.resolvedAtMs, 120_000);
  assert.equal(s1.active.get('a')?.state, 'pending', 'the previous map is not mutated');
});
