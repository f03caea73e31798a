/** The alerting pages' pure logic: API shapes, alert → Explore links, silence matchers, rule-file errors, event styles. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { alertExploreState, alertScope, scopeText } from '../src/lib/alert-links.js';
import { normalizeAlert, normalizeGroups, normalizeRuleFiles, normalizeSilences, timeMs } from '../src/lib/alerts-api.js';
import { eventKind } from '../src/lib/event-style.js';
import { errorSpot, ruleFileNameError } from '../src/lib/rule-editor.js';
import { matchersForAlert, parseMatchers, silenceInput, silenceStatus } from '../src/lib/silence-form.js';
import { formatState, parseState } from '../src/lib/url-state.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')) as unknown;

test('GET /api/v1/rules in Prometheus\' documented shape: groups, rules, state, health, errors, times', () => {
  const body = fixture('prometheus-rules.json') as { data: unknown };
  const [g] = normalizeGroups(body.data);
  assert.equal(g!.name, 'example');
  assert.equal(g!.file, '/rules.yaml');
  assert.equal(g!.intervalS, 60);
  assert.equal(g!.lastEvaluationMs, Date.parse('2023-10-05T19:51:25.462600992+02:00'));
  const [alerting, recording] = g!.rules;
  assert.equal(alerting!.type, 'alerting');
  assert.equal(alerting!.state, 'firing');
  assert.equal(alerting!.durationS, 600);
  assert.equal(alerting!.alerts.length, 1);
  assert.equal(alerting!.alerts[0]!.activeAtMs, Date.parse('2018-07-04T20:27:12.606+02:00'));
  assert.equal(recording!.type, 'recording');
  assert.equal(recording!.health, 'err');
  assert.equal(recording!.lastError, 'many-to-many matching not allowed');
  assert.equal(recording!.lastEvaluationMs, undefined, 'Go\'s zero time is "never"');
  assert.deepEqual(normalizeGroups(undefined), []);
});

test('alerts, rule files and silences: tolerant of the accepted forms, times in ms', () => {
  assert.equal(normalizeAlert({ state: 'pending', labels: { alertname: 'X', n: 3 } }).state, 'pending');
  assert.deepEqual(normalizeAlert({ labels: { alertname: 'X', n: 3 } }).labels, { alertname: 'X', n: '3' });
  assert.equal(timeMs(1764000000000), 1764000000000);
  assert.equal(timeMs('garbage'), undefined);
  assert.deepEqual(normalizeRuleFiles({ files: [{ name: 'a.yaml', source: 'groups: []' }] }), [{ name: 'a.yaml', source: 'groups: []', status: '', error: '' }]);
  assert.equal(normalizeRuleFiles([{ name: 'b.yaml' }])[0]!.name, 'b.yaml');
  assert.equal(normalizeRuleFiles([{ name: 'c.yaml', status: 'error', error: { line: 3, column: 7, message: 'unknown field "exp"' } }])[0]!.error, 'line 3, column 7: unknown field "exp"');
  const [fathom, am] = normalizeSilences([
    { id: 's1', matchers: [{ name: 'alertname', type: '=~', value: 'Kube.*' }], startsAtMs: 1000, endsAtMs: 2000, createdBy: 'ops', comment: 'maintenance' },
    { id: 's2', matchers: [{ name: 'ns', value: 'prod', isRegex: false, isEqual: false }], startsAt: '2026-11-25T10:00:00Z', endsAt: '2026-11-25T12:00:00Z', createdBy: 'x', comment: 'y' },
  ]);
  assert.deepEqual(fathom!.matchers, [{ name: 'alertname', type: '=~', value: 'Kube.*' }]);
  assert.deepEqual(am!.matchers, [{ name: 'ns', type: '!=', value: 'prod' }]);
  assert.equal(am!.endsAtMs, Date.parse('2026-11-25T12:00:00Z'));
  assert.equal(silenceStatus(fathom!, 500), 'pending');
  assert.equal(silenceStatus(fathom!, 1500), 'active');
  assert.equal(silenceStatus(fathom!, 2000), 'expired');
});

test('an alert opens Explore at its scope: the deepest built-in grouping its labels fill, else a custom one', () => {
  const cases: [Record<string, string>, string, string[]][] = [
    [{ alertname: 'A', cluster: 'demo', namespace: 'prod', workload: 'api', pod: 'api-1' }, 'logical', ['demo', 'prod', 'api', 'api-1']],
    [{ alertname: 'NodeNotReady', cluster: 'demo', node: 'n1' }, 'physical', ['demo', 'n1']],
    [{ alertname: 'HostDown', host: 'h1' }, 'hosts', ['h1']],
    [{ alertname: 'NsQuota', namespace: 'prod' }, 'custom:namespace', ['prod']],
    [{ alertname: 'Watchdog' }, 'logical', []],
  ];
  for (const [labels, grouping, path] of cases) assert.deepEqual(alertScope(labels), { grouping, path }, JSON.stringify(labels));
  const nowMs = 10_000_000;
  const s = alertExploreState({ cluster: 'demo', namespace: 'prod' }, 5_000_000, nowMs, nowMs);
  assert.deepEqual(s.range, { kind: 'absolute', startMs: 5_000_000 - 1_800_000, endMs: nowMs }, 'a margin before, never past now');
  assert.equal(s.live, false);
  const url = formatState({ ...parseState('').state, ...s });
  assert.equal(url, `?at=demo&at=prod&from=${5_000_000 - 1_800_000}&to=${nowMs}&live=0`.replace('&live=0', ''));
  assert.equal(scopeText({ cluster: 'demo', node: 'n1', host: 'n1', alertname: 'x' }), 'cluster=demo · node=n1');
});

test('silence matchers typed as text: quoted and bare values, regexes checked, match-everything refused', () => {
  assert.deepEqual(parseMatchers('alertname="Kube Pod, Crash", namespace=~"prod|test", severity!=info'), [
    { name: 'alertname', type: '=', value: 'Kube Pod, Crash' },
    { name: 'namespace', type: '=~', value: 'prod|test' },
    { name: 'severity', type: '!=', value: 'info' },
  ]);
  assert.deepEqual(parseMatchers('{pod=~"a\\"b"}'), [{ name: 'pod', type: '=~', value: 'a"b' }]);
  const bad: [string, RegExp][] = [
    ['', /at least one matcher/],
    ['alertname=~".*"', /match every alert/],
    ['9x="a"', /not a valid label name/],
    ['pod=~"("', /bad regular expression/],
    ['pod="abc', /unterminated/],
    ['just text', /expected name="value"/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseMatchers(text), re, text);
  const input = silenceInput({ matchers: 'alertname="X"', duration: '2h', createdBy: ' ops ', comment: 'deploy' }, 1000);
  assert.deepEqual(input, { matchers: [{ name: 'alertname', type: '=', value: 'X' }], startsAtMs: 1000, endsAtMs: 1000 + 7_200_000, createdBy: 'ops', comment: 'deploy' });
  assert.throws(() => silenceInput({ matchers: 'a="b"', duration: 'soon', createdBy: 'x', comment: 'y' }, 0), /duration "soon"/);
  assert.throws(() => silenceInput({ matchers: 'a="b"', duration: '1h', createdBy: '', comment: 'y' }, 0), /who/);
  assert.throws(() => silenceInput({ matchers: 'a="b"', duration: '1h', createdBy: 'x', comment: ' ' }, 0), /comment/);
  assert.equal(matchersForAlert({ alertname: 'KubePodCrashLooping', namespace: 'prod', pod: 'p-1', severity: 'warning' }), 'alertname="KubePodCrashLooping", namespace="prod", pod="p-1"');
  assert.deepEqual(parseMatchers(matchersForAlert({ alertname: 'A"b', pod: 'x' })), [{ name: 'alertname', type: '=', value: 'A"b' }, { name: 'pod', type: '=', value: 'x' }]);
});

test('a refused rule file: the line and column become an offset and a quoted line, clamped to the text', () => {
  const text = 'groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: up ==\n';
  assert.deepEqual(errorSpot(text, 5, 15), { line: 5, column: 15, offset: text.indexOf('up =='), lineText: '        expr: up ==' });
  assert.equal(errorSpot(text, 99, 1).line, 6);
  assert.equal(errorSpot(text, 2, 999).column, '  - name: g'.length + 1);
  assert.equal(errorSpot(text, 0, 0).offset, 0);
  assert.equal(ruleFileNameError('team-rules.yaml'), undefined);
  assert.match(ruleFileNameError('../etc/passwd.yaml')!, /not a rule file name/);
  assert.match(ruleFileNameError('rules.txt')!, /\.yaml or \.yml/);
});

test('events: alert state changes are told apart from Kubernetes events, firing from resolved', () => {
  const cases: [string, string, string, string][] = [
    ['alert', 'AlertFiring', 'Warning', 'alert-firing'],
    ['alert', 'AlertResolved', 'Normal', 'alert-resolved'],
    ['alert', 'AlertPending', 'Warning', 'alert-pending'],
    ['kubernetes', 'OOMKilled', 'Warning', 'warning'],
    ['kubernetes', 'Scheduled', 'Normal', 'normal'],
  ];
  for (const [source, reason, type, kind] of cases) assert.equal(eventKind({ source, reason, type: type as 'Normal' | 'Warning' }), kind, reason);
});

test('URL state: the alerting views and the open rule file', () => {
  const { state, problems } = parseState('?view=rules&file=team.yaml');
  assert.deepEqual(problems, []);
  assert.equal(state.view, 'rules');
  assert.equal(state.ruleFile, 'team.yaml');
  assert.equal(formatState(state), '?view=rules&file=team.yaml');
  assert.equal(parseState('?view=silences').state.view, 'silences');
});
