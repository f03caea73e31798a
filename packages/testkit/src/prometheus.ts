/**
 * A real Debian `prometheus` as a test and benchmark peer: started on a free loopback port with a
 * given config, in a temp data dir, stopped (SIGTERM, then SIGKILL) by the returned `stop`.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { executablePeer } from './peers.js';
import type { PeerCheck } from './peers.js';
import { freePort, tempDir, waitFor } from './wait.js';

export function prometheusPeer(): PeerCheck {
  return executablePeer('prometheus', 'prometheus');
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** The last lines Prometheus logged, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** prometheus.yml text; `$SELF` is replaced by Prometheus' own host:port. */
  readonly config: string;
  /** Extra flags, e.g. `--web.enable-remote-write-receiver`. */
  readonly args?: readonly string[];
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await tempDir('fathom-prometheus-');
  const port = await freePort();
  const configFile = join(dir.path, 'prometheus.yml');
  await writeFile(configFile, opts.config.replaceAll('$SELF', `127.0.0.1:${port}`));
  const child = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...(opts.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const lines: string[] = [];
  child.stderr.on('data', (b: Buffer) => {
    lines.push(...b.toString().split('\n').filter(Boolean));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await dir.cleanup();
  };
  try {
    await waitFor('prometheus ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${lines.slice(-5).join('\n')}`);
      const r = await fetch(`${url}/-/ready`).catch(() => undefined);
      return r?.ok ? true : undefined;
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, log: () => lines.join('\n'), stop };
}
