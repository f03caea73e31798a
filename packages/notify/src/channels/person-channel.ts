/**
 * What every channel that notifies people shares: its name and config, deduplication through the
 * notification log, and `sendResolved` defaulting to true. A channel adds its `kind` and `deliver`.
 */
import type { DeliveryResult, NotificationChannel } from '../channel.js';
import type { Notification } from '../notification.js';

export abstract class PersonChannel<C extends { readonly sendResolved?: boolean | undefined }> implements NotificationChannel {
  abstract readonly kind: string;
  readonly deduplicated = true;
  readonly sendResolved: boolean;

  constructor(
    readonly name: string,
    protected readonly _cfg: C,
  ) {
    this.sendResolved = _cfg.sendResolved ?? true;
  }

  abstract deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}
