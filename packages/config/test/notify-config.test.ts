import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, externalUrlOf, loadServerConfig } from '../src/index.js';

const testdata = (name: string): string => fileURLToPath(new URL(`../../testdata/notify/${name}`, import.meta.url));

test('notify: the default is one receiver without channels and a root route to it', () => {
  const n = loadServerConfig().notify;
  assert.deepEqual(n.receivers, [{ name: 'default' }]);
  assert.deepEqual(n.route, { receiver: 'default' });
  assert.deepEqual(n.muteWindows, []);
});

test('notify: a full file is parsed into ms and structured matchers', () => {
  const n = loadServerConfig({ file: testdata('good.yaml') }).notify;
  assert.equal(n.resolveTimeoutMs, 300_000);
  assert.equal(n.route.groupWaitMs, 30_000);
  assert.equal(n.route.repeatIntervalMs, 4 * 3_600_000);
  assert.deepEqual(n.route.routes?.[0]?.matchers, [
    { name: 'severity', type: '=', value: 'info' },
    { name: 'namespace', type: '=~', value: 'dev-.*' },
  ]);
  assert.equal(n.receivers[0]?.email?.[0]?.port, 587);
  assert.equal(n.muteWindows[0]?.timeIntervals[0]?.location, 'Europe/Paris');
});

test('notify: links use the one UI URL, rules.externalUrl, else the server address with the bound port', () => {
  assert.equal(externalUrlOf(loadServerConfig({ file: testdata('good.yaml') }), 4321), 'https://fathom.example.com');
  const d = loadServerConfig();
  assert.equal(externalUrlOf(d), `http://127.0.0.1:${d.port}`);
  assert.equal(externalUrlOf({ ...d, port: 0 }, 4321), 'http://127.0.0.1:4321');
});

const expected = JSON.parse(readFileSync(testdata('expected-errors.json'), 'utf8')) as Record<string, string>;
for (const [file, message] of Object.entries(expected)) {
  test(`notify: bad config ${file} names the field`, () => {
    assert.throws(
      () => loadServerConfig({ file: testdata(file) }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(err.message.includes(message), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(message)}`);
        return true;
      },
    );
  });
}
