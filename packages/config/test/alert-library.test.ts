import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadServerConfig } from '../src/index.js';

const testdata = (name: string): string => fileURLToPath(new URL(`../../testdata/${name}`, import.meta.url));

test('the alert library is on by default, untuned', () => {
  assert.deepEqual(loadServerConfig().alertLibrary, { enabled: true, rules: {} });
});

test('alert library overrides: enabled, threshold, forMs (0 allowed), labels, runbook base', () => {
  const s = loadServerConfig({ file: testdata('alert-library.good.yaml') });
  assert.deepEqual(s.alertLibrary, {
    enabled: true,
    runbookBaseUrl: 'https://wiki.example/runbooks',
    rules: {
      KubePodCrashLooping: { enabled: false },
      KubeContainerMemoryNearLimit: { threshold: 0.95, forMs: 1_800_000, labels: { team: 'platform' } },
      KubeNodeNotReady: { forMs: 0 },
    },
  });
});

const BAD: [string, string][] = [
  ['alert-library-for.bad.yaml', 'alertLibrary.rules.KubeNodeNotReady.forMs: expected a duration like "0s" or "15m", got "soon"'],
  ['alert-library-key.bad.yaml', 'treshold'],
];
for (const [file, message] of BAD) {
  test(`bad alert library config ${file} names the field`, () => {
    assert.throws(() => loadServerConfig({ file: testdata(file) }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.ok(err.message.includes(message), err.message);
      return true;
    });
  });
}
