/**
 * The agent's /metrics parses with `promtool check metrics` (Debian's prometheus package). Lint
 * findings are allowed only where they are the reference exporters' own names: node-exporter's
 * (checked against a real prometheus-node-exporter in the same run) and cAdvisor's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { dockerPeer, executablePeer, freePort, skipUnless, tempDir, waitFor } from '@fathom/testkit';
import { startAgent } from '../src/index.js';

const promtool = executablePeer('promtool', 'prometheus');
const nodeExporter = executablePeer('prometheus-node-exporter', 'prometheus-node-exporter');
const docker = await dockerPeer();
const peers = [promtool, nodeExporter, docker].find((p) => !p.ok) ?? { ok: true };

/** Runs `promtool check metrics` on a text; returns exit code and the findings. */
async function check(text: string): Promise<{ code: number; findings: string[] }> {
  const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr.on('data', (c: Buffer) => (out += c.toString()));
  p.stdin.end(text);
  const code = await new Promise<number>((r) => p.on('exit', (c) => r(c ?? -1)));
  return { code, findings: out.split('\n').filter(Boolean) };
}

const CADVISOR_NAMES = new Set(['container_memory_failcnt']);

test('agent /metrics passes promtool; lint findings only on the reference exporters\' own names', { skip: skipUnless(peers), timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  // A running container, so the container metrics are in the output being checked.
  const container = await new Docker({ socketPath: '/var/run/docker.sock' }).createContainer({
    Image: 'fathom-busybox:latest',
    Cmd: ['sleep', '3600'],
    Labels: { 'com.fathom.test': 'promtool' },
    HostConfig: { NetworkMode: 'none', Memory: 32 * 1024 * 1024 },
  });
  t.after(() => container.remove({ force: true }).catch(() => undefined));
  await container.start();
  const agent = await startAgent(dir.path, 'http://127.0.0.1:9', 1000);
  t.after(agent.stop);
  t.after(dir.cleanup); // after the stops: hooks run in order, and a running agent writes into dir
  const port = await waitFor('agent endpoint', () => Promise.resolve(agent.service.metricsEndpoint?.port), 5000, 50);
  const text = await waitFor('a collected cycle', async () => {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return body.includes('node_cpu_seconds_total') && body.includes(container.id) ? body : undefined;
  }, 10_000, 200);
  assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);

  const nePort = await freePort();
  const ne = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
  t.after(() => ne.kill());
  const neText = await waitFor('node-exporter', async () => (await fetch(`http://127.0.0.1:${nePort}/metrics`)).text(), 10_000, 200);

  const ours = await check(text);
  const reference = await check(neText);
  assert.notEqual(ours.code, 1, `promtool could not parse the agent output: ${ours.findings.join('\n')}`);
  assert.ok(!ours.findings.some((f) => f.startsWith('error')), ours.findings.join('\n'));
  const referenceFindings = new Set(reference.findings);
  const unexplained = ours.findings.filter((f) => {
    const name = f.split(' ')[0] ?? '';
    if (name.startsWith('node_')) return !referenceFindings.has(f);
    return !CADVISOR_NAMES.has(name);
  });
  assert.deepEqual(unexplained, [], 'lint findings that neither node-exporter nor cAdvisor share');
});
