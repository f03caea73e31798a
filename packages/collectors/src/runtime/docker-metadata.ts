/**
 * Container metadata from the Docker Engine API on its unix socket. The container list is cached
 * and refreshed when an unknown id shows up (at most once per `minRefreshMs`) or when the cache is
 * older than `maxAgeMs`, so a steady host costs one list call a minute.
 */
import type { Logger } from '@fathom/kit';
import { listContainers } from './docker-api.js';
import type { ContainerSummary } from './docker-api.js';
import type { ContainerMetadata, ContainerMetadataSource } from './metadata.js';

export interface DockerMetadataOptions {
  readonly socketPath: string;
  readonly logger: Logger;
  readonly minRefreshMs?: number;
  readonly maxAgeMs?: number;
  readonly timeoutMs?: number;
}

export class DockerMetadataSource implements ContainerMetadataSource {
  private _cache = new Map<string, ContainerMetadata>();
  private _fetchedAtMs = 0;
  private _available = true;
  /** Failed list calls, exported as `fathom_agent_runtime_errors_total{runtime="docker"}`. */
  errorsTotal = 0;

  constructor(private readonly _opts: DockerMetadataOptions) {}

  async lookup(ids: readonly string[]): Promise<ReadonlyMap<string, ContainerMetadata>> {
    const now = Date.now();
    const unknown = ids.some((id) => !this._cache.has(id));
    const age = now - this._fetchedAtMs;
    if ((unknown && age >= (this._opts.minRefreshMs ?? 2000)) || age >= (this._opts.maxAgeMs ?? 60_000)) await this._refresh(now);
    const out = new Map<string, ContainerMetadata>();
    for (const id of ids) {
      const m = this._cache.get(id);
      if (m) out.set(id, m);
    }
    return out;
  }

  private async _refresh(now: number): Promise<void> {
    this._fetchedAtMs = now;
    try {
      const list = await listContainers(this._opts.socketPath, this._opts.timeoutMs ?? 5000);
      this._cache = new Map(list.map((c) => [c.Id, toMetadata(c)]));
      if (!this._available) this._opts.logger.info('docker engine answers again', { socket: this._opts.socketPath });
      this._available = true;
    } catch (err) {
      this.errorsTotal++;
      if (this._available) this._opts.logger.warn('docker engine not reachable; containers are reported by id only', { socket: this._opts.socketPath, error: err });
      this._available = false;
    }
  }
}

function toMetadata(c: ContainerSummary): ContainerMetadata {
  const name = (c.Names[0] ?? '').replace(/^\//, '');
  return { id: c.Id, name, image: c.Image, labels: c.Labels };
}
