/**
 * `bin/fathom`, the launcher users start: it puts glibc.malloc.mmap_threshold in GLIBC_TUNABLES
 * of a real `fathom server` (read back from /proc/<pid>/environ: exec, so the pid is node's),
 * keeps the user's tunables and threshold, has an opt-out, passes arguments, signals and the exit
 * code through; and the server's start-up advice appears exactly when the threshold is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '@fathom/testkit';

const LAUNCHER = fileURLToPath(new URL('../../../bin/fathom', import.meta.url));
const BIN_JS = fileURLToPath(new URL('../../../bin/fathom.js', import.meta.url));
const TUNABLE = 'glibc.malloc.mmap_threshold=131072';
const ADVICE = /level=info msg="glibc's malloc is untuned: .*GLIBC_TUNABLES=glibc\.malloc\.mmap_threshold=131072"/;
const skip = process.platform !== 'linux' && 'the launcher is tested on Linux (/proc)';
const isGlibc = process.platform === 'linux' && (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime !== undefined;

/**
 * The test's environment without any malloc setting of its own, plus `extra`. The launcher runs
 * this test's node (FATHOM_NODE) unless `extra` says otherwise (`FATHOM_NODE: ''`: the `node` on
 * PATH, the launcher's default), so a runner whose PATH node differs does not change the test.
 */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const own = new Set(['GLIBC_TUNABLES', 'FATHOM_MALLOC_TUNING', 'FATHOM_NODE', 'FATHOM_BUNDLE', 'FATHOM_BUNDLE_DIR', 'FATHOM_LAUNCH_TRACE']);
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !own.has(k))), FATHOM_NODE: process.execPath, ...extra };
}

/**
 * /proc/<pid>/environ as a map. glibc (2.36 here) parses GLIBC_TUNABLES in the process's original
 * environment block and writes a NUL over each ':' after a tunable it recognised, so that block
 * (what /proc shows) holds "GLIBC_TUNABLES=a=1", "b=2"...: entries after it that start with
 * "glibc." are its continuation (getenv in the process still sees the whole value).
 */
function readEnviron(pid: number): Map<string, string> {
  const environ = new Map<string, string>();
  let last = '';
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean)) {
    if (last === 'GLIBC_TUNABLES' && kv.startsWith('glibc.')) {
      environ.set(last, `${environ.get(last) ?? ''}:${kv}`);
      continue;
    }
    last = kv.slice(0, kv.indexOf('='));
    environ.set(last, kv.slice(kv.indexOf('=') + 1));
  }
  return environ;
}

interface Started {
  readonly environ: Map<string, string>;
  readonly exe: string;
  readonly cmdline: readonly string[];
  /** stderr up to "server listening". */
  readonly log: string;
  readonly exitCode: number | null;
}

/** Starts `fathom server`, waits until it listens, reads its /proc entries, stops it with SIGTERM. */
async function startServer(how: 'launcher' | 'node', extraEnv: Record<string, string>, dataDir: string): Promise<Started> {
  const args = ['server', '--port', '0', '--data-dir', dataDir];
  // Its own process group, so that a launcher that forgot to exec leaves no node behind (and fails).
  const opts: SpawnOptions = { env: env(extraEnv), stdio: ['ignore', 'ignore', 'pipe'], detached: true };
  const p: ChildProcess = how === 'launcher' ? spawn(LAUNCHER, args, opts) : spawn(process.execPath, [BIN_JS, ...args], opts);
  try {
    let log = '';
    p.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    await waitFor('server listening', () => Promise.resolve(/msg="server listening"/.test(log) ? true : undefined), 30_000, 50);
    const pid = p.pid ?? 0;
    const environ = readEnviron(pid);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const exe = readlinkSync(`/proc/${pid}/exe`);
    const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    p.kill('SIGTERM');
    return { environ, exe, cmdline, log, exitCode: await exited };
  } finally {
    try {
      process.kill(-(p.pid ?? 0), 'SIGKILL');
    } catch {
      // the group is gone: stopped cleanly
    }
  }
}

test('the launcher starts node itself (exec) with the tunable set; SIGTERM to that pid stops it cleanly, exit 0', { skip, timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const dataDir = join(dir.path, 'data dir');
  const s = await startServer('launcher', { FATHOM_NODE: '' }, dataDir); // the default: node on PATH
  assert.equal(s.environ.get('GLIBC_TUNABLES'), TUNABLE);
  assert.match(s.exe, /node/, 'the pid is node, not sh');
  assert.deepEqual(s.cmdline.slice(-6), [realpathSync(BIN_JS), 'server', '--port', '0', '--data-dir', dataDir]);
  assert.ok(existsSync(dataDir), 'an argument with a space arrives as one argument');
  assert.doesNotMatch(s.log, /malloc/);
  assert.equal(s.exitCode, 0);
});

test("the launcher keeps the user's other tunables and a user-set mmap_threshold", { skip, timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const kept = await startServer('launcher', { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, join(dir.path, 'a'));
  assert.equal(kept.environ.get('GLIBC_TUNABLES'), `glibc.malloc.arena_max=2:${TUNABLE}`);
  const theirs = 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536';
  const respected = await startServer('launcher', { GLIBC_TUNABLES: theirs }, join(dir.path, 'b'));
  assert.equal(respected.environ.get('GLIBC_TUNABLES'), theirs);
  assert.doesNotMatch(respected.log, /malloc/, 'a threshold of their own is not advised against');
});

test('FATHOM_MALLOC_TUNING=off leaves the environment alone; FATHOM_NODE picks the node', { skip, timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = await startServer('launcher', { FATHOM_MALLOC_TUNING: 'off', FATHOM_NODE: process.execPath }, join(dir.path, 'a'));
  assert.equal(s.environ.get('GLIBC_TUNABLES'), undefined);
  assert.equal(realpathSync(s.exe), realpathSync(process.execPath));
  assert.equal(s.exitCode, 0);
});

test('started without the tunable (node bin/fathom.js, or opted out), the server says so once at info level', { skip: skip || (!isGlibc && 'not glibc'), timeout: 60_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  for (const s of [await startServer('node', {}, join(dir.path, 'a')), await startServer('launcher', { FATHOM_MALLOC_TUNING: 'off' }, join(dir.path, 'b'))]) {
    assert.equal(s.log.match(new RegExp(ADVICE.source, 'g'))?.length, 1, s.log);
    assert.match(s.log, /bin\/fathom/);
  }
});

test('the exit code and arguments with spaces pass through the launcher', { skip, timeout: 30_000 }, async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const config = join(dir.path, 'my config.yaml');
  writeFileSync(config, 'server:\n  retentionMs: forever\n');
  const bad = spawnSync(LAUNCHER, ['server', '--config', config, '--data-dir', dir.path], { env: env(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /my config\.yaml: server\.retentionMs: expected a positive duration/);
  const ok = spawnSync(LAUNCHER, ['--version'], { env: env(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout.trim(), (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version);
});

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'apps/cli/dist/bundle');

/** `fathom --version` through the launcher with FATHOM_LAUNCH_TRACE: which code ran, and what it printed. */
function launched(extra: Record<string, string>): { ran: string; stdout: string; status: number | null } {
  const r = spawnSync(LAUNCHER, ['--version'], { env: env({ FATHOM_LAUNCH_TRACE: '1', ...extra }), encoding: 'utf8', timeout: 20_000 });
  return { ran: /fathom: running (.+): \/\S*$/m.exec(r.stderr)?.[1] ?? r.stderr, stdout: r.stdout.trim(), status: r.status };
}

test('the launcher runs the bundle (npm run build makes it) while no workspace file it was made of is newer; otherwise, or with FATHOM_BUNDLE=off, the compiled modules', { skip, timeout: 60_000 }, async (t) => {
  assert.ok(existsSync(join(BUNDLE, 'manifest.json')), 'npm run build bundles the CLI (tools/bundle.mjs)');
  const fresh = launched({});
  assert.equal(fresh.ran, 'the bundle', 'a fresh bundle (after a plain `tsc -b`, run `npm run build`)');
  assert.equal(fresh.status, 0);
  assert.match(fresh.stdout, /^\d+\.\d+\.\d+$/);
  assert.equal(launched({ FATHOM_BUNDLE: 'off' }).ran, 'the compiled modules (FATHOM_BUNDLE=off)');
  // a copy of the bundle whose manifest predates its inputs, as after an edit and a `tsc -b` (inside the checkout: its imports resolve from node_modules)
  const copy = join(ROOT, 'apps/cli/dist', `bundle-test-${process.pid}`);
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(BUNDLE, copy, { recursive: true });
  assert.equal(launched({ FATHOM_BUNDLE_DIR: copy }).ran, 'the bundle', 'a copy runs as the original');
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { builtFromMs: number; inputs: string[] };
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, builtFromMs: manifest.builtFromMs - 60_000 }));
  const stale = launched({ FATHOM_BUNDLE_DIR: copy });
  assert.match(stale.ran, /^the compiled modules \(stale bundle: \S+\.js changed after it/);
  assert.equal(stale.stdout, fresh.stdout);
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, inputs: [...manifest.inputs, 'packages/gone/dist/src/index.js'] }));
  assert.match(launched({ FATHOM_BUNDLE_DIR: copy }).ran, /stale bundle: packages\/gone\/dist\/src\/index\.js changed/, 'a file gone counts as changed');
  const dir = await tempDir();
  t.after(dir.cleanup);
  const bundled = await startServer('launcher', { FATHOM_LAUNCH_TRACE: '1' }, join(dir.path, 'data'));
  assert.match(bundled.log, /fathom: running the bundle: /);
  assert.equal(bundled.exitCode, 0, 'a server started from the bundle stops cleanly');
});
