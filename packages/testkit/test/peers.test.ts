import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executablePeer, skipUnless, waitFor } from '../src/index.js';

test('skipUnless: skip locally, fail under CI', () => {
  const saved = process.env['CI'];
  try {
    delete process.env['CI'];
    assert.match(String(skipUnless({ ok: false, missing: 'dockerd' })), /missing peer: dockerd/);
    assert.equal(skipUnless({ ok: true }), false);
    process.env['CI'] = 'true';
    assert.throws(() => skipUnless({ ok: false, missing: 'dockerd' }), /CI=true/);
  } finally {
    if (saved === undefined) delete process.env['CI'];
    else process.env['CI'] = saved;
  }
});

test('executablePeer finds sh and not a made-up name', () => {
  assert.ok(executablePeer('sh', 'dash').ok);
  assert.match(executablePeer('no-such-binary-xyz', 'none').missing ?? '', /no-such-binary-xyz/);
});

test('waitFor times out with the last error', async () => {
  await assert.rejects(
    waitFor('nothing', () => Promise.reject(new Error('nope')), 100, 20),
    /waiting for nothing: last error nope/,
  );
  assert.equal(await waitFor('x', () => Promise.resolve(5), 100), 5);
});
