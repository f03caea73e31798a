/** A peer or Fathom started as a child process for a benchmark, ready once `/-/ready` answers. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { waitFor } from '@fathom/testkit';

export interface Engine {
  readonly name: 'fathom' | 'prometheus';
  readonly url: string;
  readonly child: ChildProcess;
}

export async function startChild(name: Engine['name'], cmd: string, args: string[], url: string): Promise<Engine> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(`${name} ready`, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
  }, 60_000);
  return { name, url, child };
}
