/** The start-up advice about glibc's mmap threshold: when it is said, and only once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@fathom/kit';
import { adviseMalloc, mallocAdvice } from '../src/malloc-advice.js';

const glibc = { platform: 'linux', glibcVersion: '2.36' } as const;

test('advice on glibc Linux without a fixed mmap threshold, naming both fixes', () => {
  for (const tunables of [undefined, '', 'glibc.malloc.arena_max=2', 'glibc.malloc.mmap_threshold_x=1']) {
    const advice = mallocAdvice({ ...glibc, tunables });
    assert.ok(advice !== undefined, String(tunables));
    assert.match(advice, /bin\/fathom/);
    assert.match(advice, /GLIBC_TUNABLES=glibc\.malloc\.mmap_threshold=131072/);
  }
});

test('no advice when the threshold is set (any value, any position), off glibc or off Linux', () => {
  assert.equal(mallocAdvice({ ...glibc, tunables: 'glibc.malloc.mmap_threshold=131072' }), undefined);
  assert.equal(mallocAdvice({ ...glibc, tunables: 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536' }), undefined);
  assert.equal(mallocAdvice({ platform: 'linux', glibcVersion: undefined, tunables: undefined }), undefined);
  assert.equal(mallocAdvice({ platform: 'darwin', glibcVersion: undefined, tunables: undefined }), undefined);
  assert.equal(mallocAdvice({ platform: 'win32', glibcVersion: '2.36', tunables: undefined }), undefined);
});

test('adviseMalloc logs one info line per process, however often it is called', () => {
  const lines: string[] = [];
  const logger = createLogger('info', (l) => lines.push(l));
  adviseMalloc(logger, { ...glibc, tunables: undefined });
  adviseMalloc(logger, { ...glibc, tunables: undefined });
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /level=info msg="glibc's malloc is untuned/);
});

test('the glibc version (a diagnostic report to find) is not looked at when the threshold is set', () => {
  let looked = 0;
  const rt = { platform: 'linux', tunables: 'glibc.malloc.mmap_threshold=131072', get glibcVersion() { looked++; return '2.36'; } } as const;
  assert.equal(mallocAdvice(rt), undefined);
  assert.equal(looked, 0);
  assert.ok(mallocAdvice({ ...rt, tunables: undefined, glibcVersion: '2.36' }) !== undefined);
});

test("glibc's older MALLOC_MMAP_THRESHOLD_ counts as set; the advice names the launcher's opt-out", () => {
  assert.equal(mallocAdvice({ ...glibc, tunables: undefined, legacyThreshold: '131072' }), undefined);
  assert.match(mallocAdvice({ ...glibc, tunables: undefined, legacyThreshold: '' }) ?? '', /FATHOM_MALLOC_TUNING=off/);
});
