/**
 * The one Docker Engine API call the agent needs, `GET /containers/json?all=1`, over the engine's
 * unix socket. Not dockerode: dockerode loads gRPC and protobuf for BuildKit sessions, which cost
 * the per-host agent 24 MiB of resident memory (measured) for a call node:http makes in 30 lines.
 * Tests and benchmarks still drive Docker with dockerode.
 */
import { request } from 'node:http';

/** The fields of the engine's ContainerSummary the agent uses. */
export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Image: string;
  readonly Labels: Readonly<Record<string, string>>;
}

export function listContainers(socketPath: string, timeoutMs: number): Promise<ContainerSummary[]> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/containers/json?all=1', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`docker engine answered HTTP ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`));
        try {
          resolve(parseSummaries(JSON.parse(body) as unknown));
        } catch (err) {
          reject(new Error(`docker engine sent an unexpected container list: ${(err as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker engine did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function parseSummaries(raw: unknown): ContainerSummary[] {
  if (!Array.isArray(raw)) throw new Error('not an array');
  return raw.map((c: unknown, i) => {
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if (typeof o['Id'] !== 'string') throw new Error(`item ${i} has no Id`);
    const names = Array.isArray(o['Names']) ? o['Names'].filter((n): n is string => typeof n === 'string') : [];
    const labels = typeof o['Labels'] === 'object' && o['Labels'] !== null ? (o['Labels'] as Record<string, unknown>) : {};
    return {
      Id: o['Id'],
      Names: names,
      Image: typeof o['Image'] === 'string' ? o['Image'] : '',
      Labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
    };
  });
}
