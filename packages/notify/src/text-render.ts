/** Short human text of a notification's alerts, shared by the chat, paging and e-mail channels. */
import type { NotifiedAlert, Notification } from './notification.js';

/** The line for one alert: its summary (or description, or alert name) and its scope labels. */
export function alertLine(a: NotifiedAlert): string {
  const what = a.annotations['summary'] ?? a.annotations['description'] ?? a.labels['alertname'] ?? 'alert';
  const scope = ['cluster', 'namespace', 'workload', 'pod', 'node', 'host', 'service']
    .filter((k) => a.labels[k] !== undefined)
    .map((k) => `${k}=${a.labels[k] ?? ''}`)
    .join(' ');
  return scope ? `${what} (${scope})` : what;
}

/** Firing and resolved counts. */
export function counts(n: Notification): { firing: number; resolved: number } {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  return { firing, resolved: n.alerts.length - firing };
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
