import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SilenceMatcher,
  buildNotification,
  compileRoute,
  groupKeyOf,
  groupLabelsOf,
  inTimeInterval,
  matchRoutes,
  needsNotification,
  parseMatcherText,
  parseRetryAfterMs,
  parseSilenceInput,
  parseTimeOfDay,
  parseWeekdays,
  silenceState,
  titleOf,
} from '../src/index.js';
import type { DedupInput, Silence } from '../src/index.js';

const S = (...xs: string[]): Set<string> => new Set(xs);
const base = { sendResolved: true, repeatIntervalMs: 1000, nowMs: 10_000 };

test('dedup: when is a channel due (table)', () => {
  const cases: [string, DedupInput, boolean][] = [
    ['first notification with firing alerts', { ...base, entry: undefined, firing: S('a'), resolved: S() }, true],
    ['first with only resolved alerts: nothing to say', { ...base, entry: undefined, firing: S(), resolved: S('a') }, false],
    ['same firing set, within repeat: re-send suppressed', { ...base, entry: { firing: ['a'], resolved: [], atMs: 9500 }, firing: S('a'), resolved: S() }, false],
    ['a new alert fires', { ...base, entry: { firing: ['a'], resolved: [], atMs: 9500 }, firing: S('a', 'b'), resolved: S() }, true],
    ['fewer firing, none resolved (silenced): no news', { ...base, entry: { firing: ['a', 'b'], resolved: [], atMs: 9500 }, firing: S('a'), resolved: S() }, false],
    ['one of two resolved, sendResolved', { ...base, entry: { firing: ['a', 'b'], resolved: [], atMs: 9500 }, firing: S('a'), resolved: S('b') }, true],
    ['one of two resolved, no sendResolved', { ...base, sendResolved: false, entry: { firing: ['a', 'b'], resolved: [], atMs: 9500 }, firing: S('a'), resolved: S('b') }, false],
    ['resolved already told', { ...base, entry: { firing: ['a'], resolved: ['b'], atMs: 9500 }, firing: S('a'), resolved: S('b') }, false],
    ['resolved never told firing', { ...base, entry: { firing: ['a'], resolved: [], atMs: 9500 }, firing: S('a'), resolved: S('c') }, false],
    ['all resolved: always, even without sendResolved', { ...base, sendResolved: false, entry: { firing: ['a'], resolved: [], atMs: 9500 }, firing: S(), resolved: S('a') }, true],
    ['repeat interval passed', { ...base, entry: { firing: ['a'], resolved: [], atMs: 9000 }, firing: S('a'), resolved: S() }, true],
  ];
  for (const [name, input, want] of cases) assert.equal(needsNotification(input), want, name);
});

test('routes: first match wins, continue goes on, inheritance, group keys', () => {
  const root = compileRoute({
    receiver: 'default',
    groupBy: ['alertname'],
    groupWaitMs: 1000,
    routes: [
      { receiver: 'pager', matchers: [parseMatcherText('severity="critical"')], continue: true, groupWaitMs: 10 },
      { receiver: 'team-a', matchers: [parseMatcherText('namespace=~"a-.*"')], groupBy: ['namespace', 'alertname'] },
      { receiver: 'team-b', matchers: [parseMatcherText('namespace=~"a-.*|b-.*"')] },
    ],
  });
  const names = (l: Record<string, string>): string[] => matchRoutes(root, l).map((r) => r.receiver);
  assert.deepEqual(names({ alertname: 'X', namespace: 'a-1' }), ['team-a']);
  assert.deepEqual(names({ alertname: 'X', namespace: 'b-1' }), ['team-b']);
  assert.deepEqual(names({ alertname: 'X', namespace: 'a-1', severity: 'critical' }), ['pager', 'team-a']);
  assert.deepEqual(names({ alertname: 'X', namespace: 'zzz' }), ['default']);
  const [pager] = matchRoutes(root, { severity: 'critical', alertname: 'X' });
  assert.equal(pager?.groupWaitMs, 10);
  assert.equal(pager?.groupIntervalMs, 300_000, 'default timing');
  assert.deepEqual(pager?.groupBy, ['alertname'], 'inherited');
  const teamA = matchRoutes(root, { alertname: 'X', namespace: 'a-1', pod: 'p' })[0]!;
  const gl = groupLabelsOf(teamA, { alertname: 'X', namespace: 'a-1', pod: 'p' });
  assert.deepEqual(gl, { alertname: 'X', namespace: 'a-1' });
  assert.equal(groupKeyOf(teamA, gl), '{}/1{namespace=~"a-.*"}:{alertname="X",namespace="a-1"}');
  assert.throws(() => compileRoute({}), /root route needs a receiver/);
});

test('matchers: text form and errors', () => {
  assert.deepEqual(parseMatcherText('a!~"x|y"'), { name: 'a', type: '!~', value: 'x|y' });
  assert.deepEqual(parseMatcherText('job = api'), { name: 'job', type: '=', value: 'api' });
  assert.throws(() => parseMatcherText('1a="x"'), /expected name="value"/);
  assert.throws(() => parseMatcherText('a=~"("'), /invalid regular expression/);
});

const silence = (over: Partial<Silence>): Silence => ({
  id: 's1',
  matchers: [{ name: 'namespace', type: '=', value: 'prod' }],
  startsAtMs: 1000,
  endsAtMs: 2000,
  createdBy: 'me',
  comment: 'maintenance',
  updatedAtMs: 0,
  ...over,
});

test('silences: states, all four matcher types, only active ones mute', () => {
  assert.equal(silenceState(silence({}), 999), 'pending');
  assert.equal(silenceState(silence({}), 1000), 'active');
  assert.equal(silenceState(silence({}), 2000), 'expired');
  const m = new SilenceMatcher(
    [
      silence({ id: 'eq' }),
      silence({ id: 'neq', matchers: [{ name: 'alertname', type: '=', value: 'A' }, { name: 'env', type: '!=', value: 'dev' }] }),
      silence({ id: 're', matchers: [{ name: 'pod', type: '=~', value: 'api-.*' }] }),
      silence({ id: 'nre', matchers: [{ name: 'alertname', type: '=', value: 'B' }, { name: 'node', type: '!~', value: 'n[12]' }] }),
      silence({ id: 'later', startsAtMs: 5000, endsAtMs: 6000, matchers: [{ name: 'x', type: '=', value: 'y' }] }),
    ],
    1500,
  );
  assert.deepEqual(m.silencedBy({ namespace: 'prod' }), ['eq']);
  assert.deepEqual(m.silencedBy({ alertname: 'A', env: 'prod' }), ['neq']);
  assert.deepEqual(m.silencedBy({ alertname: 'A', env: 'dev' }), []);
  assert.deepEqual(m.silencedBy({ pod: 'api-1' }), ['re']);
  assert.deepEqual(m.silencedBy({ pod: 'web-api-1' }), [], 'anchored');
  assert.deepEqual(m.silencedBy({ alertname: 'B', node: 'n3' }), ['nre']);
  assert.deepEqual(m.silencedBy({ alertname: 'B', node: 'n1' }), []);
  assert.deepEqual(m.silencedBy({ x: 'y' }), [], 'pending silence');
});

test('silence input: both matcher forms, times, clear errors', () => {
  const ok = parseSilenceInput({ matchers: [{ name: 'a', value: 'x.*', isRegex: true, isEqual: false }, { name: 'b', value: 'y' }], startsAt: '2026-01-01T00:00:00Z', endsAtMs: Date.parse('2026-01-02T00:00:00Z'), createdBy: 'me', comment: 'c' });
  assert.deepEqual(ok.matchers, [{ name: 'a', type: '!~', value: 'x.*' }, { name: 'b', type: '=', value: 'y' }]);
  assert.equal(ok.startsAtMs, Date.parse('2026-01-01T00:00:00Z'));
  const bad: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ matchers: [], startsAtMs: 1, endsAtMs: 2, createdBy: 'a', comment: 'b' }, /non-empty array/],
    [{ matchers: [{ name: 'a', type: '~', value: 'x' }], startsAtMs: 1, endsAtMs: 2, createdBy: 'a', comment: 'b' }, /matchers\[0\]\.type/],
    [{ matchers: [{ name: 'a', type: '=~', value: '(' }], startsAtMs: 1, endsAtMs: 2, createdBy: 'a', comment: 'b' }, /invalid regular expression/],
    [{ matchers: [{ name: 'a', type: '=~', value: '.*' }], startsAtMs: 1, endsAtMs: 2, createdBy: 'a', comment: 'b' }, /silence every alert/],
    [{ matchers: [{ name: 'a', type: '=', value: 'x' }], endsAtMs: 2, createdBy: 'a', comment: 'b' }, /startsAtMs .* is required/],
    [{ matchers: [{ name: 'a', type: '=', value: 'x' }], startsAtMs: 3, endsAtMs: 2, createdBy: 'a', comment: 'b' }, /endsAtMs must be after/],
    [{ matchers: [{ name: 'a', type: '=', value: 'x' }], startsAtMs: 1, endsAtMs: 2, comment: 'b' }, /createdBy/],
    [{ matchers: [{ name: 'a', type: '=', value: 'x' }], startsAt: 'yesterday', endsAtMs: 2, createdBy: 'a', comment: 'b' }, /RFC 3339/],
  ];
  for (const [body, re] of bad) assert.throws(() => parseSilenceInput(body), re, JSON.stringify(body));
});

test('mute windows: weekdays, times of day, time zones', () => {
  assert.deepEqual(parseWeekdays(['monday:wednesday', 'sunday']), [0, 1, 2, 3]);
  assert.throws(() => parseWeekdays(['friday:monday']), /bad weekday range/);
  assert.equal(parseTimeOfDay('24:00'), 1440);
  assert.throws(() => parseTimeOfDay('9:00'), /HH:MM/);
  const nights = { weekdays: parseWeekdays(['monday:friday']), times: [{ startMinute: parseTimeOfDay('18:00'), endMinute: 1440 }], location: 'Europe/Paris' };
  const cases: [string, boolean][] = [
    ['2026-11-25T16:59:00Z', false], // Wednesday 17:59 in Paris (UTC+1)
    ['2026-11-25T17:00:00Z', true], // 18:00 Paris
    ['2026-11-25T22:59:59Z', true], // 23:59 Paris
    ['2026-11-25T23:00:00Z', false], // Thursday 00:00 Paris
    ['2026-11-28T18:00:00Z', false], // Saturday
    ['2026-07-01T16:00:00Z', true], // summer: UTC+2, 18:00 Paris
  ];
  for (const [at, want] of cases) assert.equal(inTimeInterval(nights, Date.parse(at)), want, at);
  assert.equal(inTimeInterval({ weekdays: [], times: [], location: 'UTC' }, 0), true, 'empty interval = always');
});

test('notification: firing first, common labels, title, UI link at scope and time range', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const n = buildNotification({
    receiver: 'r',
    groupKey: 'g',
    groupLabels: { alertname: 'HighLatency', namespace: 'prod' },
    alerts: [
      { labels: { alertname: 'HighLatency', cluster: 'c1', namespace: 'prod', workload: 'web' }, annotations: { summary: 's' }, startsAtMs: now - 60_000, endsAtMs: now - 1000, generatorUrl: 'http://ui/x' },
      { labels: { alertname: 'HighLatency', cluster: 'c1', namespace: 'prod', workload: 'api' }, annotations: { summary: 's' }, startsAtMs: now - 120_000, endsAtMs: now + 60_000, generatorUrl: 'http://ui/y' },
    ],
    externalUrl: 'http://fathom:9070/',
    nowMs: now,
    groupIntervalMs: 1000,
  });
  assert.deepEqual(n.alerts.map((a) => a.status), ['firing', 'resolved']);
  assert.equal(n.status, 'firing');
  assert.deepEqual(n.commonLabels, { alertname: 'HighLatency', cluster: 'c1', namespace: 'prod' });
  assert.deepEqual(n.commonAnnotations, { summary: 's' });
  assert.equal(titleOf(n), '[FIRING:1] HighLatency (namespace="prod")');
  const u = new URL(n.groupUrl);
  assert.equal(u.origin + u.pathname, 'http://fathom:9070/');
  assert.deepEqual(u.searchParams.getAll('at'), ['c1', 'prod']);
  assert.equal(Number(u.searchParams.get('from')), now - 120_000 - 30 * 60_000);
  assert.equal(Number(u.searchParams.get('to')), now + 30 * 60_000);
});

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfterMs('3', 0), 3000);
  assert.equal(parseRetryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfterMs(null, 0), undefined);
  assert.equal(parseRetryAfterMs('soon', 0), undefined);
});
