import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyOverrides, formatRuleFile, libraryRuleFiles, parseLibraryFile, readLibrary, replaceNumber } from '../../src/index.js';
import type { RuleDoc, RuleFileDoc } from '../../src/index.js';

const lib = readLibrary();
const find = (files: readonly RuleFileDoc[], name: string): RuleDoc | undefined => files.flatMap((f) => f.groups.flatMap((g) => g.rules)).find((r) => r.alert === name);
const ok = (r: ReturnType<typeof applyOverrides>): RuleFileDoc[] => {
  if (!r.ok) throw new Error(r.error);
  return r.files;
};

describe('library overrides', () => {
  test('no overrides: the files as shipped', () => {
    assert.deepEqual(ok(applyOverrides(lib)), lib);
  });

  test('disable one rule; the others stay', () => {
    const files = ok(applyOverrides(lib, { rules: { KubePodCrashLooping: { enabled: false } } }));
    assert.equal(find(files, 'KubePodCrashLooping'), undefined);
    assert.ok(find(files, 'KubePodNotReady'));
  });

  test('disable the whole library', () => {
    assert.deepEqual(ok(applyOverrides(lib, { enabled: false })), []);
  });

  test('threshold, for and labels', () => {
    const files = ok(applyOverrides(lib, { rules: { KubeContainerMemoryNearLimit: { threshold: 0.95, forMs: 1_800_000, labels: { team: 'platform' } } } }));
    const r = find(files, 'KubeContainerMemoryNearLimit');
    assert.match(r?.expr ?? '', /\) > 0\.95\n/);
    assert.doesNotMatch(r?.expr ?? '', /> 0\.9\n/);
    assert.equal(r?.for, '30m');
    assert.deepEqual(r?.labels, { severity: 'warning', team: 'platform' });
    assert.equal(find(lib, 'KubeContainerMemoryNearLimit')?.for, '15m', 'the input is not modified');
  });

  test('for: 0 fires at once', () => {
    assert.equal(find(ok(applyOverrides(lib, { rules: { KubeNodeNotReady: { forMs: 0 } } })), 'KubeNodeNotReady')?.for, '0s');
  });

  test('the router selector', () => {
    const r = find(ok(applyOverrides(lib, { rules: { RouterDeploymentNotFullyAvailable: { selector: 'kube_deployment_labels{label_tier="haproxy"}' } } })), 'RouterDeploymentNotFullyAvailable');
    assert.ok(r?.expr.includes('kube_deployment_labels{label_tier="haproxy"}'));
    assert.ok(!r?.expr.includes('label_app_kubernetes_io_component'));
  });

  test('runbook links rebased', () => {
    const r = find(ok(applyOverrides(lib, { runbookBaseUrl: 'https://wiki.example/runbooks' })), 'KubeJobFailed');
    assert.equal(r?.annotations?.['runbook_url'], 'https://wiki.example/runbooks/kubernetes-apps.md#kubejobfailed');
  });

  test('a number is replaced only where it stands alone', () => {
    assert.equal(replaceNumber('a > 0.9 and b > 0.95 and c_0.9 > 10.9', '0.9', '0.8'), 'a > 0.8 and b > 0.95 and c_0.9 > 10.9');
    assert.equal(replaceNumber('x > 1 and y[1m] * 12', '1', '3'), 'x > 3 and y[1m] * 12');
  });

  const bad: [string, Parameters<typeof applyOverrides>[1], RegExp][] = [
    ['an unknown rule', { rules: { KubePodCrashLoop: { enabled: false } } }, /alertLibrary\.rules\.KubePodCrashLoop: no library rule is named "KubePodCrashLoop"/],
    ['a threshold on a rule without one', { rules: { KubeNodeNotReady: { threshold: 3 } } }, /alertLibrary\.rules\.KubeNodeNotReady: this rule has no threshold/],
    ['a selector on a rule without one', { rules: { KubeJobFailed: { selector: 'x' } } }, /alertLibrary\.rules\.KubeJobFailed: this rule has no selector/],
    ['a negative for', { rules: { KubeJobFailed: { forMs: -1 } } }, /forMs must be 0 or a positive duration/],
    ['a threshold that is not finite', { rules: { ServiceLatencyHigh: { threshold: Number.NaN } } }, /threshold must be a finite number/],
  ];
  for (const [what, o, re] of bad) {
    test(`refused: ${what}`, () => {
      const r = applyOverrides(lib, o);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, re);
    });
  }

  test('libraryRuleFiles gives YAML that parses back to the same rules', () => {
    const r = libraryRuleFiles({ rules: { ServiceTooFewReadyEndpoints: { threshold: 2 } } });
    assert.ok(r.ok);
    const back = r.files.map((f) => parseLibraryFile(f.name, f.text));
    assert.deepEqual(back.map((f) => f.name), lib.map((f) => `library-${f.name}`));
    assert.match(find(back, 'ServiceTooFewReadyEndpoints')?.expr ?? '', /\* 0 \+ 2\)/);
    assert.equal(formatRuleFile(back[0]!), r.files[0]!.text);
  });
});
