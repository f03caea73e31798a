import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tempDir } from '@fathom/testkit';
import { alertsFile, loadAlerts, saveAlerts, saveAlertsInSlices } from '../src/index.js';
import type { Alert } from '../src/index.js';

test('held alerts: the periodic save in slices writes the same file as the synchronous one', async (t) => {
  const a = await tempDir('fathom-notify-state-');
  const b = await tempDir('fathom-notify-state-');
  t.after(async () => {
    await a.cleanup();
    await b.cleanup();
  });
  for (const n of [0, 1, 2500]) {
    const alerts: Alert[] = Array.from({ length: n }, (_, i) => ({ labels: { alertname: 'A', pod: `p-${i}` }, annotations: { summary: `s ${i}` }, startsAtMs: i, ...(i % 2 ? { endsAtMs: i + 1 } : {}), generatorUrl: 'http://ui/' }));
    saveAlerts(a.path, alerts, false, 42);
    await saveAlertsInSlices(b.path, alerts, true, 42);
    assert.equal(readFileSync(alertsFile(b.path), 'utf8'), readFileSync(alertsFile(a.path), 'utf8'));
    assert.deepEqual(loadAlerts(b.path), alerts);
  }
});
