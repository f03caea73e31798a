/** Templates: expansion as Prometheus prints it, and syntax errors with their offset. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, compileTemplate, formatG, formatShortestE, sprintf } from '../src/index.js';

const data = { labels: { instance: 'n1:9100', job: 'node' }, value: 0.12345, externalLabels: { cluster: 'eu' }, externalUrl: 'http://fathom' };

const CASES: readonly [string, string, number?][] = [
  ['{{ $labels.instance }} of {{ .Labels.job }}', 'n1:9100 of node'],
  ['{{ $labels.missing }}|', '|'],
  ['{{ $value }}', '0.12345'],
  ['{{ $value }}', '1e+06', 1e6],
  ['{{ $value }}', '123456', 123456],
  ['{{ $value | humanize }}', '123.5m'],
  ['{{ humanize 1234567 }}', '1.235M'],
  ['{{ humanize 1234.5 }}', '1.234k'],
  ['{{ $value | humanizePercentage }}', '12.35%'],
  ['{{ humanizeDuration 90061 }}', '1d 1h 1m 1s'],
  ['{{ humanizeDuration 0.25 }}', '250ms'],
  ['{{ humanize1024 1073741824 }}', '1Gi'],
  ['{{ printf "%.1f%%" 12.345 }}', '12.3%'],
  ['{{ printf "%s=%d" "n" 3 }}', 'n=3'],
  ['{{ if gt $value 0.1 }}high{{ else if gt $value 0.01 }}mid{{ else }}low{{ end }}', 'high'],
  ['{{ if gt $value 0.1 }}high{{ else if gt $value 0.01 }}mid{{ else }}low{{ end }}', 'mid', 0.05],
  ['{{ $externalLabels.cluster }} {{ $externalURL }}', 'eu http://fathom'],
  ['{{ $x := "a" }}{{ $x }}{{ $x = "b" }}{{ $x }}', 'ab'],
  ['  {{- "trim" -}}  !', 'trim!'],
  ['{{/* a comment */}}ok', 'ok'],
  ['{{ toUpper $labels.job | printf "[%s]" }}', '[NODE]'],
  ['{{ reReplaceAll ":.*" "" $labels.instance }}', 'n1'],
  ['{{ $labels.instance | stripPort }}', 'n1'],
  ['{{ with $labels.job }}job={{ . }}{{ end }}', 'job=node'],
  ['{{ range $k, $v := $labels }}{{ end }}{{ len $labels }}', '2'],
];

for (const [src, want, value] of CASES) {
  test(`template ${src} (value ${value ?? data.value}) → ${want}`, () => {
    assert.equal(compileTemplate(src).expand({ ...data, value: value ?? data.value }), want);
  });
}

const ERRORS: readonly [string, number, RegExp][] = [
  ['{{ humanise $value }}', 3, /function "humanise" not defined/],
  ['ok {{ if $value }}x', 6, /unexpected EOF/],
  ['{{ end }}', 2, /unexpected \{\{end\}\}/],
  ['{{ $labels.x ', 0, /unclosed action/],
  ['{{ template "x" }}', 2, /not supported/],
];

for (const [src, pos, message] of ERRORS) {
  test(`template syntax error in ${JSON.stringify(src)} at offset ${pos}`, () => {
    assert.throws(
      () => compileTemplate(src),
      (err: unknown) => err instanceof TemplateError && err.pos === pos && message.test(err.message),
    );
  });
}

test('query in templates: results are lists of { Labels, Value } for with/range/first/label/value', () => {
  const query = (q: string) => (q === 'up' ? [{ Labels: { instance: 'b' }, Value: 0 }, { Labels: { instance: 'a' }, Value: 1 }] : []);
  const t = compileTemplate('{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }};{{ end }}{{ with query "up" }}{{ . | first | label "instance" }}{{ end }}{{ with query "none" }}x{{ else }}empty{{ end }}');
  assert.equal(t.expand({ ...data, query }), 'a=1;b=0;bempty');
  assert.throws(() => compileTemplate('{{ query "none" | first }}').expand({ ...data, query }), /no elements/);
  assert.throws(() => compileTemplate('{{ query "up" }}').expand(data), /query is not available/);
});

test('a runtime error says which call failed', () => {
  assert.throws(() => compileTemplate('{{ humanize "abc" }}').expand(data), /error calling humanize/);
});

test('Go number formatting', () => {
  assert.equal(formatG(100000), '100000');
  assert.equal(formatG(1e21), '1e+21');
  assert.equal(formatG(0.0001), '0.0001');
  assert.equal(formatG(0.00001), '1e-05');
  assert.equal(formatG(12345, 4), '1.234e+04');
  assert.equal(formatG(NaN), 'NaN');
  assert.equal(formatShortestE(42), '4.2e+01');
  assert.equal(formatShortestE(1), '1e+00');
  assert.equal(sprintf('%5.2f|%-3s|%03d|%v', [3.14159, 'a', 7, true]), ' 3.14|a  |007|true');
});
