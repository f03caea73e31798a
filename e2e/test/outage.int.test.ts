/**
 * The server goes away for 30 s while the agent runs; when it is back, every sample of those 30 s
 * arrives. The server runs as its own process (`fathom server`), stopped and started for real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, tempDir, waitFor } from '@fathom/testkit';
import { rawSamples, startAgent } from '../src/index.js';

const BIN = fileURLToPath(new URL('../../../bin/fathom.js', import.meta.url));

function startServerProcess(port: number, dataDir: string): ChildProcess {
  return spawn(process.execPath, [BIN, 'server', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

test('server down for 30 s: no sample from the outage is missing after it comes back', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server = startServerProcess(port, `${dir.path}/server`);
  t.after(() => stopProcess(server));
  const agent = await startAgent(`${dir.path}/agent`, url, 1000);
  t.after(agent.stop);
  t.after(dir.cleanup); // after the stops: hooks run in order, and a running agent writes into dir

  const cycles = async (): Promise<[number, string][]> => (await rawSamples(url, 'fathom_agent_cycles_total{host="e2e-host"}[10m]'))[0]?.values ?? [];
  await waitFor('first batches', async () => ((await cycles()).length >= 3 ? true : undefined), 20_000, 250);

  await stopProcess(server);
  const downAt = Date.now();
  await delay(30_000);
  const upAt = Date.now();
  const spooled = agent.service.metricsEndpoint?.port;
  assert.ok(spooled !== undefined);
  const agentMetrics = await (await fetch(`http://127.0.0.1:${spooled}/metrics`)).text();
  const spooledBatches = Number(/fathom_agent_spool_batches\{host="e2e-host"\} (\d+)/.exec(agentMetrics)?.[1]);
  assert.ok(spooledBatches >= 25, `the agent buffered ${spooledBatches} batches on disk during the outage`);

  server = startServerProcess(port, `${dir.path}/server`);
  await waitFor('the replay to reach the present', async () => {
    const v = await cycles().catch(() => []);
    const last = v[v.length - 1];
    return last && last[0] * 1000 > upAt + 2000 ? v : undefined;
  }, 60_000, 500);
  const values = (await cycles()).map(([t, v]) => [t * 1000, Number(v)] as const);
  const outage = values.filter(([t]) => t >= downAt && t <= upAt);
  assert.ok(outage.length >= 28, `${outage.length} samples from the 30 s outage`);
  // fathom_agent_cycles_total counts cycles: consecutive values prove no cycle is missing.
  for (let i = 1; i < values.length; i++) {
    assert.equal(values[i]?.[1], (values[i - 1]?.[1] ?? 0) + 1, `gap between cycle ${values[i - 1]?.[1]} and ${values[i]?.[1]}`);
  }
});
