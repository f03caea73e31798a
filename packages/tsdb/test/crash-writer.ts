/**
 * Child process for the kill -9 test: appends batches of 200 series as fast as it can and prints
 * the number of each batch whose commit resolved (= acknowledged), until it is killed.
 * Small segments and checkpoints so the kill can land in a rotation or a checkpoint too; with a
 * block range argument (ms), blocks are cut and compacted all the time, so it lands in those too.
 */
import { labelsOf } from '@fathom/model';
import { TsdbStorage } from '../src/index.js';

const dir = process.argv[2] ?? '';
const blockRangeMs = Number(process.argv[3] ?? 0);
const s = TsdbStorage.open({
  dataDir: dir,
  fsync: 'always',
  retentionMs: 1e15,
  maxSeries: 1e6,
  maxSeriesPerMetric: 1e6,
  outOfOrderWindowMs: 0,
  walSegmentBytes: 256 * 1024,
  checkpointEveryBytes: 1024 * 1024,
  ...(blockRangeMs > 0 ? { blockRangeMs } : {}),
});
const labels = Array.from({ length: 200 }, (_, i) => labelsOf({ __name__: 'crash_test', pod: `pod-${i}`, namespace: `ns-${i % 7}` }));
for (let batch = 1; ; batch++) {
  const app = s.appender();
  for (const l of labels) app.append(l, batch * 10_000, batch + Math.random());
  await app.commit();
  process.stdout.write(`${batch}\n`);
}
