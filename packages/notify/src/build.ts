/**
 * Builds the dispatcher from configuration: the routing tree, the mute windows and one channel per
 * configured destination (a registry of kinds). To add a channel kind: a class implementing
 * `NotificationChannel` in `channels/`, its config type in `config.ts`, an entry here, its schema
 * in `@fathom/config`, its payload in docs/formats/notify-payloads-v1.md.
 */
import type { Logger } from '@fathom/kit';
import type { NotificationChannel } from './channel.js';
import { AlertmanagerChannel } from './channels/alertmanager.js';
import { EmailChannel } from './channels/email.js';
import { PagerDutyChannel } from './channels/pagerduty.js';
import { SlackChannel } from './channels/slack.js';
import { WebhookChannel } from './channels/webhook.js';
import type { MuteWindowConfig, NotifyConfig, ReceiverConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import type { DispatcherOptions } from './dispatcher.js';
import type { MuteWindow } from './mute-window.js';
import { checkTimeZone, parseTimeOfDay, parseWeekdays } from './mute-window.js';
import { allRoutes, compileRoute } from './route.js';
import { SilenceStore } from './silence-store.js';

export interface NotifierDeps {
  /** Directory of `notify-state.json` and `silences.json`. */
  readonly dir: string;
  readonly fsync: boolean;
  readonly logger: Logger;
  /** Used when the config has no `externalUrl` (a function when known only once the server listens). */
  readonly defaultExternalUrl: string | (() => string);
  /** Test hooks and tuning passed to the dispatcher. */
  readonly tuning?: Partial<Pick<DispatcherOptions, 'tickMs' | 'timeoutMs' | 'maxAttempts' | 'backoff' | 'nowMs' | 'saveEveryMs' | 'maxAlerts'>>;
}

/** Thrown for configuration the schema let through but that cannot work (names the field). */
export class NotifyConfigError extends Error {
  override readonly name = 'NotifyConfigError';
}

export function createNotifier(cfg: NotifyConfig, deps: NotifierDeps): { dispatcher: Dispatcher; silences: SilenceStore } {
  const route = compileRoute(cfg.route);
  const receivers = new Map<string, NotificationChannel[]>();
  for (const r of cfg.receivers) {
    if (receivers.has(r.name)) throw new NotifyConfigError(`notify.receivers: the name ${JSON.stringify(r.name)} is used twice`);
    receivers.set(r.name, channelsOf(r));
  }
  const muteWindows = compileMuteWindows(cfg.muteWindows ?? []);
  for (const node of allRoutes(route)) {
    if (!receivers.has(node.receiver)) throw new NotifyConfigError(`notify.route: receiver ${JSON.stringify(node.receiver)} is not defined in notify.receivers`);
    for (const w of [...node.muteWindows, ...node.activeWindows]) {
      if (!muteWindows.has(w)) throw new NotifyConfigError(`notify.route: mute window ${JSON.stringify(w)} is not defined in notify.muteWindows`);
    }
  }
  const silences = new SilenceStore({ dir: deps.dir, fsync: deps.fsync, ...(deps.tuning?.nowMs ? { nowMs: deps.tuning.nowMs } : {}) });
  const dispatcher = new Dispatcher({
    route,
    receivers,
    muteWindows,
    silences,
    externalUrl: cfg.externalUrl ?? deps.defaultExternalUrl,
    dir: deps.dir,
    fsync: deps.fsync,
    logger: deps.logger.child({ component: 'notify' }),
    ...(cfg.resolveTimeoutMs !== undefined ? { resolveTimeoutMs: cfg.resolveTimeoutMs } : {}),
    ...(cfg.queueCapacity !== undefined ? { queueCapacity: cfg.queueCapacity } : {}),
    ...deps.tuning,
  });
  return { dispatcher, silences };
}

function channelsOf(r: ReceiverConfig): NotificationChannel[] {
  const name = (kind: string, i: number): string => `${r.name}/${kind}/${i}`;
  return [
    ...(r.webhook ?? []).map((c, i) => new WebhookChannel(name('webhook', i), c)),
    ...(r.alertmanager ?? []).map((c, i) => new AlertmanagerChannel(name('alertmanager', i), c)),
    ...(r.slack ?? []).map((c, i) => new SlackChannel(name('slack', i), c)),
    ...(r.pagerduty ?? []).map((c, i) => new PagerDutyChannel(name('pagerduty', i), c)),
    ...(r.email ?? []).map((c, i) => new EmailChannel(name('email', i), c)),
  ];
}

export function compileMuteWindows(cfgs: readonly MuteWindowConfig[]): Map<string, MuteWindow> {
  const out = new Map<string, MuteWindow>();
  cfgs.forEach((w, i) => {
    if (out.has(w.name)) throw new NotifyConfigError(`notify.muteWindows[${i}]: the name ${JSON.stringify(w.name)} is used twice`);
    try {
      out.set(w.name, {
        name: w.name,
        timeIntervals: w.timeIntervals.map((t) => {
          const location = t.location ?? 'UTC';
          checkTimeZone(location);
          return {
            weekdays: parseWeekdays(t.weekdays ?? []),
            times: (t.times ?? []).map((r) => ({ startMinute: parseTimeOfDay(r.start), endMinute: parseTimeOfDay(r.end) })),
            location,
          };
        }),
      });
    } catch (err) {
      throw new NotifyConfigError(`notify.muteWindows[${i}] (${w.name}): ${(err as Error).message}`);
    }
  });
  return out;
}
