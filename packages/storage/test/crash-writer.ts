/**
 * Child process for the crash test: appends batches as fast as it can and prints the number of
 * the last batch whose commit resolved (= acknowledged), until it is killed with SIGKILL.
 */
import { labelsOf } from '@fathom/model';
import { JournaledStorage } from '../src/index.js';

const dir = process.argv[2] ?? '';
const s = JournaledStorage.open({ dataDir: dir, fsync: 'always', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6 });
for (let batch = 1; ; batch++) {
  const app = s.appender();
  for (let i = 0; i < 50; i++) app.append(labelsOf({ __name__: 'crash_test', series: String(i) }), batch, batch);
  await app.commit();
  process.stdout.write(`${batch}\n`);
}
