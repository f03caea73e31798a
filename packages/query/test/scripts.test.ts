import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournaledStorage } from '@fathom/storage';
import { parseScript } from './promqltest.js';

const dir = fileURLToPath(new URL('../../testdata/', import.meta.url));
const newStorage = (): JournaledStorage =>
  JournaledStorage.open({ dataDir: mkdtempSync(join(tmpdir(), 'fathom-promql-')), fsync: 'never', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6 });

for (const file of readdirSync(dir).filter((f) => f.endsWith('.test'))) {
  test(`promqltest ${file}`, async (t) => {
    for (const c of parseScript(readFileSync(join(dir, file), 'utf8'), newStorage)) {
      await t.test(`${file}:${c.line} ${c.title}`, () => c.run());
    }
  });
}
