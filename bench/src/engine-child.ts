/** A peer or Fathom started as a child process for a benchmark, ready once `/-/ready` answers. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@fathom/testkit';

/** `bin/fathom`: the launcher users start Fathom with (it fixes glibc's mmap threshold). */
export const FATHOM_LAUNCHER = fileURLToPath(new URL('../../bin/fathom', import.meta.url));

/** The environment for {@link FATHOM_LAUNCHER}: the launcher runs the node that runs the bench. */
export function fathomEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...process.env, FATHOM_NODE: process.execPath, ...extra };
}

export interface Engine {
  readonly name: 'fathom' | 'prometheus';
  readonly url: string;
  readonly child: ChildProcess;
}

export async function startChild(name: Engine['name'], cmd: string, args: string[], url: string, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  await waitFor(`${name} ready`, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
  }, 60_000);
  return { name, url, child };
}
