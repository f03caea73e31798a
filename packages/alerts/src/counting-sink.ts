/** An AlertSink that delivers nothing and counts what it was given, keeping only the latest batch (bounded). */
import type { Alert, AlertSink } from '@fathom/notify';

export class CountingAlertSink implements AlertSink {
  batches = 0;
  alerts = 0;
  /** The most recent batch. */
  last: readonly Alert[] = [];

  send(alerts: readonly Alert[]): void {
    this.batches++;
    this.alerts += alerts.length;
    this.last = alerts;
  }
}
