/** Time on the wire: RFC 3339 in UTC, and Go's zero time for "not set" (Alertmanager's convention). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function rfc3339(ms: number | undefined): string {
  return ms === undefined ? ZERO_TIME : new Date(ms).toISOString();
}
