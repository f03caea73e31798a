/**
 * Golden bytes of the block and checkpoint writers: a fixed input (unicode labels, jittered
 * timestamps, chunks and a checkpoint larger than one 1 MiB write piece) must give files whose
 * sha256 is the one recorded in testdata/format-golden.json, recorded from the writers before
 * they wrote through one reused buffer. A failure is a format change: bump the format version and
 * its spec in docs/formats/, then `UPDATE_GOLDEN=1 node tools/run-tests.mjs format-golden`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { Head } from '../src/index.js';
import { writeBlock } from '../src/block/block-writer.js';
import { XorEncoder } from '../src/chunk/xor-chunk.js';
import { checkpointName, writeCheckpoint } from '../src/wal/checkpoint.js';

const FIXTURE = fileURLToPath(new URL('../../test/testdata/format-golden.json', import.meta.url));

interface Golden {
  readonly blockIndex: string;
  readonly blockChunks: string;
  readonly checkpoint: string;
  readonly checkpointBytes: number;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const labelsAt = (k: number): Labels =>
  labelsOf({ __name__: k % 3 ? 'container_cpu_usage_seconds_total' : 'kube_pod_info', namespace: `ns-${k % 7}`, pod: `pod-${'ü'.repeat(k % 5)}-${k}`, k: String(k).padStart(4, '0') });

test('block and checkpoint writers: the bytes of a fixed input are the recorded ones', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const rnd = random(5);
  const series = Array.from({ length: 400 }, (_, k) => ({
    labels: labelsAt(k),
    chunks: Array.from({ length: 6 }, (_, c) => {
      const enc = new XorEncoder();
      for (let i = 0; i < 120; i++) enc.append((c * 120 + i) * 10_000 + (i % 7 === 0 ? 3 : 0), i % 11 === 0 ? Math.round(rnd() * 1000) : rnd() * 1e6);
      return { minTMs: c * 120 * 10_000, maxTMs: (c * 120 + 119) * 10_000 + 3, count: 120, bytes: enc.bytes() };
    }),
  }));
  const meta = writeBlock(dir.path, { minTMs: 0, maxTMs: 7_200_000, resolutionMs: 0, level: 1, sources: [], nowMs: 1 }, series);
  const head = new Head({ maxSeries: 1e6, maxSeriesPerMetric: 1e6, outOfOrderWindowMs: 0 });
  for (let k = 0; k < 400; k++) {
    const s = head.getOrCreate(labelsAt(k));
    for (let i = 0; i < 700; i++) head.applyTo(s, i * 10_000, i % 13 === 0 ? i : rnd() * 1e3);
  }
  writeCheckpoint(dir.path, 3, head);
  const checkpoint = readFileSync(join(dir.path, checkpointName(3)));
  const got: Golden = {
    blockIndex: sha(readFileSync(join(dir.path, meta.id, 'index'))),
    blockChunks: sha(readFileSync(join(dir.path, meta.id, 'chunks'))),
    checkpoint: sha(checkpoint),
    checkpointBytes: checkpoint.length,
  };
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Golden & Record<string, unknown>;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(FIXTURE, `${JSON.stringify({ ...recorded, ...got }, null, 2)}\n`);
    return;
  }
  assert.ok(meta.files.chunks.bytes > 1 << 20 && checkpoint.length > 1 << 20, 'both larger than one write piece');
  assert.deepEqual(got, { blockIndex: recorded.blockIndex, blockChunks: recorded.blockChunks, checkpoint: recorded.checkpoint, checkpointBytes: recorded.checkpointBytes });
});
