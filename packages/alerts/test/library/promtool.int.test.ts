/**
 * The library checked by the reference: Debian's `promtool check rules` on every file (as shipped
 * and after overrides) and `promtool test rules` on every unit-test fixture.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { executablePeer, skipUnless, tempDir } from '@fathom/testkit';
import { LIBRARY_DIR, libraryRuleFiles } from '../../src/index.js';

const run = promisify(execFile);
const skip = skipUnless(executablePeer('promtool', 'prometheus'));
const FIXTURES = join(LIBRARY_DIR, 'tests');

async function promtool(...args: string[]): Promise<string> {
  try {
    const r = await run('promtool', args, { cwd: FIXTURES });
    return r.stdout + r.stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('the alert library under promtool', { skip }, () => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.test.yaml'))) {
    test(`promtool test rules ${f}`, async () => {
      assert.match(await promtool('test', 'rules', f), /SUCCESS/);
    });
  }

  test('promtool check rules on the files as shipped and after overrides', async () => {
    const shipped = readdirSync(LIBRARY_DIR).filter((x) => x.endsWith('.yaml')).map((x) => join(LIBRARY_DIR, x));
    assert.match(await promtool('check', 'rules', ...shipped), /SUCCESS/);
    const tuned = libraryRuleFiles({ runbookBaseUrl: 'https://wiki.example/rb', rules: {
      KubeContainerMemoryNearLimit: { threshold: 0.8, forMs: 300_000, labels: { team: 'platform' } },
      RouterDeploymentNotFullyAvailable: { selector: 'kube_deployment_labels{label_tier="haproxy"}' },
      KubePodCrashLooping: { enabled: false },
    } });
    assert.ok(tuned.ok);
    const dir = await tempDir('fathom-alertlib-');
    try {
      const paths: string[] = [];
      for (const f of tuned.files) {
        const p = join(dir.path, f.name);
        await writeFile(p, f.text);
        paths.push(p);
      }
      assert.match(await promtool('check', 'rules', ...paths), /SUCCESS/);
    } finally {
      await dir.cleanup();
    }
  });
});
