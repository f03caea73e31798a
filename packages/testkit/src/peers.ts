/**
 * Real peers for integration tests (dockerd, promtool, …). A test asks `requirePeer`; when the peer
 * is missing it skips with a message naming it, except under `CI=true`, where a missing peer fails
 * the test. `.ci/setup-peers.sh` installs and starts every peer.
 */
import { accessSync, constants } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join } from 'node:path';

export interface PeerCheck {
  readonly ok: boolean;
  readonly missing?: string;
}

/** Finds an executable on PATH. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Checks that a Docker engine answers on its unix socket and has the test image. */
export async function dockerPeer(socketPath = '/var/run/docker.sock', image = 'fathom-busybox:latest'): Promise<PeerCheck> {
  const ping = await getUnix(socketPath, '/_ping');
  if (ping !== 'OK') return { ok: false, missing: `a Docker engine on ${socketPath} (run .ci/setup-peers.sh)` };
  const inspect = await getUnix(socketPath, `/images/${encodeURIComponent(image)}/json`);
  if (inspect === undefined) return { ok: false, missing: `the image ${image} (run .ci/setup-peers.sh)` };
  return { ok: true };
}

function getUnix(socketPath: string, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Checks for an executable from a Debian package. */
export function executablePeer(name: string, debianPackage: string): PeerCheck {
  return findExecutable(name) ? { ok: true } : { ok: false, missing: `${name} (Debian package ${debianPackage})` };
}

/**
 * Returns a skip message when the peer is missing and we are not in CI; throws under CI=true.
 * Use as `test('…', { skip: await skipUnless(check) }, …)`.
 */
export function skipUnless(check: PeerCheck): string | false {
  if (check.ok) return false;
  const message = `missing peer: ${check.missing ?? 'unknown'}`;
  if (process.env['CI'] === 'true') throw new Error(`${message} — under CI=true a missing peer is a failure`);
  return message;
}
