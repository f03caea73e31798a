/** Type and help of every metric the simulator emits (names as in cAdvisor, node-exporter, kube-state-metrics). */
import type { MetricMeta } from '@fathom/model';

const m = (type: MetricMeta['type'], help: string): MetricMeta => ({ type, help });

export const METRIC_META: Readonly<Record<string, MetricMeta>> = {
  container_cpu_usage_seconds_total: m('counter', 'Cumulative cpu time consumed in seconds.'),
  container_memory_working_set_bytes: m('gauge', 'Current working set in bytes.'),
  container_memory_rss: m('gauge', 'Size of RSS in bytes.'),
  container_network_receive_bytes_total: m('counter', 'Cumulative count of bytes received.'),
  container_network_transmit_bytes_total: m('counter', 'Cumulative count of bytes transmitted.'),
  container_fs_usage_bytes: m('gauge', 'Number of bytes that are consumed by the container on this filesystem.'),
  proc_cpu_seconds_total: m('counter', 'CPU time of the process, by mode.'),
  proc_resident_memory_bytes: m('gauge', 'Resident set size of the process.'),
  http_requests_total: m('counter', 'HTTP requests served, by status code.'),
  http_request_duration_seconds_bucket: m('counter', 'Request latency histogram buckets.'),
  http_request_duration_seconds_sum: m('counter', 'Total request latency in seconds.'),
  http_request_duration_seconds_count: m('counter', 'Requests measured.'),
  node_cpu_seconds_total: m('counter', 'Seconds the CPUs spent in each mode.'),
  node_memory_MemTotal_bytes: m('gauge', 'Memory information field MemTotal_bytes.'),
  node_memory_MemAvailable_bytes: m('gauge', 'Memory information field MemAvailable_bytes.'),
  node_memory_MemFree_bytes: m('gauge', 'Memory information field MemFree_bytes.'),
  node_filesystem_size_bytes: m('gauge', 'Filesystem size in bytes.'),
  node_filesystem_avail_bytes: m('gauge', 'Filesystem space available to non-root users in bytes.'),
  node_filesystem_free_bytes: m('gauge', 'Filesystem free space in bytes.'),
  node_network_receive_bytes_total: m('counter', 'Network device statistic receive_bytes.'),
  node_network_transmit_bytes_total: m('counter', 'Network device statistic transmit_bytes.'),
  node_load1: m('gauge', '1m load average.'),
  node_boot_time_seconds: m('gauge', 'Node boot time, in unixtime.'),
  kube_node_status_condition: m('gauge', 'The condition of a cluster node.'),
  kube_node_status_allocatable: m('gauge', 'The allocatable for different resources of a node.'),
  kube_pod_info: m('gauge', 'Information about pod.'),
  kube_pod_status_phase: m('gauge', 'The pods current phase.'),
  kube_pod_container_resource_requests: m('gauge', 'The number of requested request resource by a container.'),
  kube_pod_container_resource_limits: m('gauge', 'The number of requested limit resource by a container.'),
  kube_pod_container_status_restarts_total: m('counter', 'The number of container restarts per container.'),
};
