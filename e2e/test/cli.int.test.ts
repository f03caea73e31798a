/** The `fathom` command as a user runs it: help, bad flags and config, and `up` starting and stopping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '@fathom/testkit';

// The launcher users start (bin/fathom), on the node running the tests.
const BIN = fileURLToPath(new URL('../../../bin/fathom', import.meta.url));
const ENV = { ...process.env, FATHOM_NODE: process.execPath };
const fathom = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 20_000, env: ENV });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('--help of every command says what each flag does', () => {
  const top = fathom('--help');
  assert.equal(top.status, 0);
  for (const cmd of ['up', 'server', 'agent']) assert.match(top.stdout, new RegExp(`\\n\\s+${cmd} `));
  const cases: [string, RegExp[]][] = [
    ['up', [/--data-dir <dir>\s+where data is kept/, /--port <port>\s+port for the API/, /--interval <duration>/]],
    ['server', [/--retention <duration>/, /--host <address>/]],
    ['agent', [/--server <url>\s+URL of the Fathom server/, /--listen <host:port>/, /--hostname <name>/]],
  ];
  for (const [cmd, patterns] of cases) {
    const r = fathom(cmd, '--help');
    assert.equal(r.status, 0, cmd);
    for (const p of patterns) assert.match(r.stdout, p, `${cmd} --help`);
  }
});

test('a bad flag or config file is a clear message naming the flag or field, exit 2', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const bad = `${dir.path}/bad.yaml`;
  writeFileSync(bad, 'server:\n  retentionMs: forever\n');
  const cases: [string[], RegExp][] = [
    [['server', '--port', 'eighty', '--data-dir', dir.path], /invalid configuration: --port: expected a port number from 0 to 65535, got "eighty"/],
    [['agent', '--interval', 'often', '--data-dir', dir.path], /invalid configuration: --interval: expected a positive duration/],
    [['server', '--config', bad, '--data-dir', dir.path], /bad.yaml: server.retentionMs: expected a positive duration like "10s" or "1h30m", got "forever"/],
  ];
  for (const [args, message] of cases) {
    const r = fathom(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  const url = fathom('agent', '--server', 'not a url');
  assert.notEqual(url.status, 0);
  assert.match(url.stderr, /not a URL: not a url/);
});

test('fathom up prints its URL, serves the API, and stops cleanly on Ctrl-C', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const p = spawn(BIN, ['up', '--data-dir', dir.path, '--port', '0', '--listen', 'off', '--interval', '1s', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  t.after(() => p.kill('SIGKILL'));
  let out = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const url = await waitFor('the URL', () => Promise.resolve(/Fathom is up: (http:\/\/\S+)/.exec(out)?.[1]), 20_000, 100);
  const body = await waitFor('host metrics', async () => {
    const r = (await (await fetch(`${url}/api/v1/query?query=node_load1`)).json()) as { data: { result: unknown[] } };
    return r.data.result.length ? r : undefined;
  }, 20_000, 250);
  assert.equal(body.data.result.length, 1);
  const page = await (await fetch(url)).text();
  assert.match(page, /<title>Fathom<\/title>/);
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  p.kill('SIGINT');
  assert.equal(await exited, 0);
});
