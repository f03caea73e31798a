/**
 * The configuration of the agent and the server, as Zod schemas whose defaults are data. One YAML
 * file may hold both sections (`agent:` and `server:`) so `fathom up` reads a single file.
 * Unknown keys are errors: a typo must not be silently ignored.
 */
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { alertLibrarySchema } from './alert-library.js';
import { byteSize, durationMs, port } from './units.js';
import { notifyConfigSchema } from './notify-schema.js';

export const DEFAULT_PORT = 9070;
export const DEFAULT_AGENT_METRICS_PORT = 9101;

/** Default data directory: `$FATHOM_DATA_DIR`, else `~/.fathom`. */
export function defaultDataDir(): string {
  return process.env['FATHOM_DATA_DIR'] ?? join(homedir(), '.fathom');
}

const processes = z.strictObject({
  /** Processes kept per cycle by CPU and by memory (union of both lists). */
  topN: z.number().int().min(0).default(20),
  /** Also keep every process that belongs to a container. */
  includeContainerProcesses: z.boolean().default(true),
  /** Hard cap on process series per cycle; processes past it are dropped and counted. */
  maxProcesses: z.number().int().min(1).default(1000),
});

const buffer = z.strictObject({
  /** Batches held in memory while the server is slow, before spilling to disk. */
  memoryBatches: z.number().int().min(1).default(16),
  /** Disk spool bound; the oldest spooled batches are dropped (and counted) past it. */
  maxDiskBytes: byteSize.default(256 * 1024 * 1024),
});

const kubernetes = z.strictObject({
  /** `auto`: on when running in a pod (KUBERNETES_SERVICE_HOST) or when `apiUrl`/`kubeconfig` is set. */
  enabled: z.enum(['auto', 'on', 'off']).default('auto'),
  /** This node's name (the agent watches only its pods); default $NODE_NAME, else the host name. */
  nodeName: z.string().min(1).default(process.env['NODE_NAME'] ?? hostname()),
  /** The `cluster` label value. */
  cluster: z.string().min(1).default(process.env['FATHOM_CLUSTER'] ?? 'default'),
  /** The API server; default in-cluster config, else `kubeconfig`, else ~/.kube/config. */
  apiUrl: z.url().optional(),
  /** A file holding a bearer token (default in-cluster: the service account's). */
  tokenFile: z.string().optional(),
  caFile: z.string().optional(),
  insecureSkipTlsVerify: z.boolean().default(false),
  kubeconfig: z.string().optional(),
  /** The cluster component (`fathom cluster-agent`), source of owners and Services. */
  clusterAgentUrl: z.url().optional(),
  /** Which pod labels become `label_<name>`: globs on the label key; deny wins. */
  labels: z
    .strictObject({ allow: z.array(z.string()).default(['*']), deny: z.array(z.string()).optional() })
    .default({ allow: ['*'] }),
});

export const agentConfigSchema = z.strictObject({
  server: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).default(`http://127.0.0.1:${DEFAULT_PORT}`),
  intervalMs: durationMs.default(10_000),
  sendTimeoutMs: durationMs.default(10_000),
  host: z.string().min(1).default(hostname()),
  dataDir: z.string().min(1).default(join(defaultDataDir(), 'agent')),
  /** Where the agent serves its own /metrics; `host:port`, or `off`. */
  listen: z.string().default(`127.0.0.1:${DEFAULT_AGENT_METRICS_PORT}`),
  procRoot: z.string().default('/proc'),
  sysRoot: z.string().default('/sys'),
  dockerSocket: z.string().default('/var/run/docker.sock'),
  processes: processes.default(processes.parse({})),
  buffer: buffer.default(buffer.parse({})),
  kubernetes: kubernetes.default(kubernetes.parse({})),
});

const limits = z.strictObject({
  maxBodyBytes: byteSize.default(16 * 1024 * 1024),
  maxDecodedBytes: byteSize.default(128 * 1024 * 1024),
  maxSeries: z.number().int().min(1).default(2_000_000),
  maxSeriesPerMetric: z.number().int().min(1).default(200_000),
});

/** PromQL engine limits; past them a query fails with Prometheus' error shape. */
const query = z.strictObject({
  timeoutMs: durationMs.default(120_000),
  /** Samples a query may load or produce. */
  maxSamples: z.number().int().min(1).default(50_000_000),
  /** Series a query may load. */
  maxSeries: z.number().int().min(1).default(1_000_000),
  /** How far back an instant selector looks (Prometheus' lookback delta). */
  lookbackMs: durationMs.default(300_000),
});

const storage = z.strictObject({
  /** `tsdb`: the time-series engine (packages/tsdb); `journal`: the earlier journaled memory store. */
  engine: z.enum(['tsdb', 'journal']).default('tsdb'),
  /** How far behind a series' newest sample a sample may still arrive (tsdb). */
  outOfOrderWindowMs: durationMs.default(10 * 60_000),
  /** WAL segment size (tsdb). */
  walSegmentBytes: byteSize.default(32 * 1024 * 1024),
  /** A checkpoint is written after this much WAL, bounding restart time (tsdb). */
  checkpointEveryBytes: byteSize.default(16 * 1024 * 1024),
  /**
   * Also a checkpoint once no write has come for this long, with a quarter of checkpointEveryBytes
   * of WAL behind (tsdb): a restart after a quiet spell replays nothing. Longer than the agents'
   * push interval (10 s), or it checkpoints between their pushes; 0 turns it off.
   */
  idleCheckpointMs: z.union([z.literal(0), durationMs]).default(30_000),
  /** Time partition of the on-disk blocks cut from the head (tsdb); compaction merges them ×3 per level. */
  blockRangeMs: durationMs.default(2 * 3_600_000),
  /**
   * Bound of the samples waiting to be written to the WAL (tsdb): past it a write is refused at once
   * (remote write and agent batches: 503 + Retry-After, the sender retries), counted as
   * `fathom_server_storage_rejected_samples_total{reason="overloaded"}`. ~20-40 bytes per sample.
   */
  maxQueuedSamples: z.number().int().min(1).default(2_000_000),
  /**
   * Rollup tiers after the raw tier (`retentionMs`), finest first (tsdb). Defaults after Sysdig:
   * 1 m for 2 d, 10 m for 2 w, 1 h for 3 months, 1 d for a year. `[]` keeps raw samples only.
   */
  tiers: z
    .array(z.strictObject({ resolutionMs: durationMs, retentionMs: durationMs }))
    .default([
      { resolutionMs: 60_000, retentionMs: 2 * 86_400_000 },
      { resolutionMs: 600_000, retentionMs: 14 * 86_400_000 },
      { resolutionMs: 3_600_000, retentionMs: 90 * 86_400_000 },
      { resolutionMs: 86_400_000, retentionMs: 365 * 86_400_000 },
    ]),
});

/** Alerting and recording rules (packages/alerts, docs/formats/alert-rules.md). */
const rules = z.strictObject({
  /** Rule files (`*.yml`, `*.yaml`) loaded at start; files put through the API are written here. Default `<dataDir>/rules`. */
  dir: z.string().min(1).optional(),
  /** Interval of groups that set none (Prometheus' evaluation_interval). */
  evaluationIntervalMs: durationMs.default(60_000),
  /**
   * The web UI's base URL for links in alerts (`generatorUrl`, `$externalURL`) and in notifications
   * (the one setting; `externalUrlOf` derives the URL both use); default `http://<host>:<port>`.
   */
  externalUrl: z.url().optional(),
  /** Labels added to every alert sent (Prometheus' external_labels), also `$externalLabels` in templates. */
  externalLabels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  /** Firing alerts are sent with endsAt 4 × max(interval, this) ahead. */
  resendDelayMs: durationMs.default(60_000),
  /** Saved alert state older than this at start is not restored. */
  outageToleranceMs: durationMs.default(3_600_000),
  /** Groups evaluating at once; the others wait their turn (Prometheus' --rules.max-concurrent-evals, for groups). */
  maxConcurrentGroups: z.number().int().min(1).default(2),
  /** Longest run of rule evaluation work before ingest and the API get a turn of the event loop. */
  evaluationSliceMs: durationMs.default(10),
  /** Most samples a group evaluation keeps to share selections among its rules; 0 = no sharing. */
  sharedSelectionsMaxSamples: z.number().int().min(0).default(2_000_000),
});

/** Memory returned when the server goes idle after a burst of work: major GCs, then a young-generation shrink (apps/server/src/idle-gc.ts). */
const idleGc = z.strictObject({
  enabled: z.boolean().default(true),
  /** Calm event loop over the last this long (no burst tick, low mean) → major GCs while each returns memory (apps/server/src/idle-gc.ts). */
  afterMs: durationMs.default(500),
  /** Heap + ArrayBuffer growth (or old-space slack growth) since the last collection's low point that makes a collection worth its pause. */
  minGrowthBytes: byteSize.default(32 * 1024 * 1024),
  /** … and heap growth at least this fraction of the JS heap after the last collection (a bigger JS heap pauses longer; ArrayBuffers are not marked). */
  growthRatio: z.number().min(0).default(0.5),
  /** Those major GCs compact the whole old generation (longer pauses, all fragmented pages given back at once). */
  compact: z.boolean().default(true),
});

export const serverConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: port.default(DEFAULT_PORT),
  dataDir: z.string().min(1).default(join(defaultDataDir(), 'server')),
  /** How long samples are kept. */
  retentionMs: durationMs.default(6 * 3_600_000),
  /** fsync the WAL (or journal) before acknowledging a batch (`always`) or leave it to the OS (`never`). */
  fsync: z.enum(['always', 'never']).default('always'),
  storage: storage.default(storage.parse({})),
  limits: limits.default(limits.parse({})),
  query: query.default(query.parse({})),
  /** How long events (Kubernetes events, alerts) are kept; stored under `<dataDir>/events`. */
  eventsRetentionMs: durationMs.default(7 * 24 * 3_600_000),
  /** Alert notifications: receivers, routes, mute windows (packages/notify/README.md). */
  notify: notifyConfigSchema.default(notifyConfigSchema.parse({})),
  rules: rules.default(rules.parse({})),
  /** The Kubernetes alert library: on by default, tunable (see alert-library.ts). */
  alertLibrary: alertLibrarySchema.default(alertLibrarySchema.parse({})),
  idleGc: idleGc.default(idleGc.parse({})),
  /** Old-generation growth past the last major GC's live heap before the next, in percent (100: twice, Go's GOGC default); 0 = V8's own (apps/server/src/heap-growth.ts). */
  heapGrowthPercent: z.number().int().min(0).max(300).default(100),
});

export const fileConfigSchema = z.strictObject({
  agent: z.unknown().optional(),
  server: z.unknown().optional(),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type ServerConfig = z.infer<typeof serverConfigSchema>;

/**
 * The web UI's base URL that alert links and notifications both use: `rules.externalUrl` when set,
 * else the server's own address (`boundPort`: the port actually bound, when the config asked for 0).
 */
export function externalUrlOf(cfg: Pick<ServerConfig, 'host' | 'port' | 'rules'>, boundPort: number = cfg.port): string {
  return cfg.rules.externalUrl ?? `http://${cfg.host}:${boundPort}`;
}
