/**
 * A deterministic, Kubernetes-shaped data set (cAdvisor, kube-state-metrics, node-exporter and an
 * app histogram, with the team's label names) written through remote write to any number of
 * receivers, so Fathom and a reference Prometheus hold exactly the same samples. Timestamps carry
 * millisecond jitter, as real scrapes do.
 */
import snappy from 'snappy';
import { encodeWriteRequest } from '@fathom/http';
import type { PbLabel } from '@fathom/http';

export interface DataShape {
  readonly nodes: number;
  readonly podsPerNode: number;
  /** Scrape interval and how much history to write, ending at `endMs`. */
  readonly intervalMs: number;
  readonly historyMs: number;
  readonly endMs: number;
}

interface SeriesGen {
  readonly labels: PbLabel[];
  readonly value: (step: number) => number;
}

/** A small deterministic PRNG so both receivers and every run see the same numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const L = (o: Record<string, string>): PbLabel[] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value }));

function series(shape: DataShape): SeriesGen[] {
  const r = rng(42);
  const out: SeriesGen[] = [];
  const namespaces = ['prod', 'staging', 'kube-system'];
  const buckets = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  for (let n = 0; n < shape.nodes; n++) {
    const node = `node-${n}`;
    for (const mode of ['user', 'system', 'idle', 'iowait']) {
      for (let cpu = 0; cpu < 2; cpu++) {
        const rate = mode === 'idle' ? 0.6 : 0.1 + r() * 0.1;
        out.push({ labels: L({ __name__: 'node_cpu_seconds_total', node, cpu: String(cpu), mode, job: 'node-exporter' }), value: (s) => s * (shape.intervalMs / 1000) * rate });
      }
    }
    const memTotal = 16e9;
    out.push({ labels: L({ __name__: 'node_memory_MemTotal_bytes', node, job: 'node-exporter' }), value: () => memTotal });
    out.push({ labels: L({ __name__: 'node_memory_MemAvailable_bytes', node, job: 'node-exporter' }), value: (s) => memTotal * (0.4 + 0.2 * Math.sin(s / 17 + n)) });
    for (let p = 0; p < shape.podsPerNode; p++) {
      const namespace = namespaces[(n + p) % namespaces.length] ?? 'prod';
      const workload = `app-${p % 4}`;
      const pod = `${workload}-${n}${p}-x${p}`;
      const base = { namespace, pod, node, container: 'main', workload, workload_kind: 'Deployment' };
      const cpuRate = 0.05 + r() * 0.5;
      out.push({ labels: L({ __name__: 'container_cpu_usage_seconds_total', ...base, job: 'cadvisor' }), value: (s) => s * (shape.intervalMs / 1000) * cpuRate });
      const mem = 1e8 + r() * 4e8;
      out.push({ labels: L({ __name__: 'container_memory_working_set_bytes', ...base, job: 'cadvisor' }), value: (s) => mem + 1e6 * (s % 50) });
      out.push({ labels: L({ __name__: 'kube_pod_container_resource_limits', ...base, resource: 'memory', unit: 'byte', job: 'kube-state-metrics' }), value: () => 1e9 });
      const restartEvery = 40 + Math.floor(r() * 200);
      out.push({ labels: L({ __name__: 'kube_pod_container_status_restarts_total', ...base, job: 'kube-state-metrics' }), value: (s) => Math.floor(s / restartEvery) });
      out.push({ labels: L({ __name__: 'kube_pod_info', namespace, pod, node, job: 'kube-state-metrics', host_ip: `10.0.0.${n}` }), value: () => 1 });
      out.push({ labels: L({ __name__: 'kube_pod_status_ready', namespace, pod, condition: 'true', job: 'kube-state-metrics' }), value: (s) => ((s + p) % 97 === 0 ? 0 : 1) });
      const reqRate = 5 + r() * 20;
      const errShare = r() * 0.05;
      for (const code of ['200', '500']) {
        out.push({ labels: L({ __name__: 'http_requests_total', namespace, pod, code, job: 'app' }), value: (s) => Math.floor(s * reqRate * (code === '500' ? errShare : 1 - errShare)) });
      }
      buckets.forEach((le, i) => {
        const share = Math.min(1, (i + 1) / (buckets.length - 1));
        out.push({ labels: L({ __name__: 'http_request_duration_seconds_bucket', namespace, pod, le, job: 'app' }), value: (s) => Math.floor(s * reqRate * (le === '+Inf' ? 1 : share * 0.97)) });
      });
    }
  }
  return out;
}

/** Snappy-compressed WriteRequests, oldest first, each covering `stepsPerRequest` scrapes. */
export function* writeRequests(shape: DataShape, stepsPerRequest = 20): Generator<Uint8Array> {
  const gens = series(shape);
  const steps = Math.floor(shape.historyMs / shape.intervalMs);
  const startMs = shape.endMs - steps * shape.intervalMs;
  for (let s0 = 0; s0 <= steps; s0 += stepsPerRequest) {
    const timeseries = gens.map((g, gi) => {
      const samples: [number, number][] = [];
      for (let s = s0; s < Math.min(s0 + stepsPerRequest, steps + 1); s++) samples.push([startMs + s * shape.intervalMs + ((gi * 37 + s * 11) % 900) + 1, g.value(s)]);
      return { labels: g.labels, samples };
    });
    yield snappy.compressSync(Buffer.from(encodeWriteRequest({ timeseries })));
  }
}

/** Writes the data set to each receiver's /api/v1/write; throws on any non-2xx answer. */
export async function pushData(baseUrls: readonly string[], shape: DataShape): Promise<{ series: number; requests: number }> {
  let requests = 0;
  for (const body of writeRequests(shape)) {
    requests++;
    for (const url of baseUrls) {
      const r = await fetch(`${url}/api/v1/write`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
      });
      if (!r.ok) throw new Error(`${url}: remote write answered ${r.status}: ${await r.text()}`);
    }
  }
  return { series: series(shape).length, requests };
}
