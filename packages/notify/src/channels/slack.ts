/**
 * Slack-compatible incoming webhook: `text` (the notification's title, used by clients as the
 * fallback) plus one attachment coloured by status holding Block Kit sections (the alerts with
 * links to the UI). The hook answers 200 `ok`; 4xx with a reason (`invalid_payload`,
 * `channel_not_found`, …) is not retried; 429 is retried after `Retry-After`.
 */
import type { DeliveryResult } from '../channel.js';
import type { SlackChannelConfig } from '../config.js';
import { postForDelivery } from '../http-post.js';
import { PersonChannel } from './person-channel.js';
import type { Notification } from '../notification.js';
import { titleOf } from '../notification.js';
import { alertLine, counts } from '../text-render.js';

export const SLACK_COLORS = { firing: '#d63232', resolved: '#2eb67d' } as const;
const MAX_LISTED = 10;

/** Slack's mrkdwn needs &, < and > escaped in text (not in link targets). */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(n: Notification, cfg: Pick<SlackChannelConfig, 'channel' | 'username'>): Record<string, unknown> {
  const title = titleOf(n);
  const c = counts(n);
  const lines = n.alerts.slice(0, MAX_LISTED).map((a) => `${a.status === 'firing' ? ':red_circle:' : ':white_check_mark:'} <${a.generatorUrl}|${esc(alertLine(a))}>`);
  if (n.alerts.length > MAX_LISTED) lines.push(`…and ${n.alerts.length - MAX_LISTED} more`);
  return {
    text: title,
    ...(cfg.channel ? { channel: cfg.channel } : {}),
    username: cfg.username ?? 'Fathom',
    attachments: [
      {
        color: SLACK_COLORS[n.status],
        fallback: `${title} ${n.groupUrl}`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*<${n.groupUrl}|${esc(title)}>*` } },
          { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: `${c.firing} firing, ${c.resolved} resolved · <${n.groupUrl}|Open in Fathom>` }] },
        ],
      },
    ],
  };
}

export class SlackChannel extends PersonChannel<SlackChannelConfig> {
  readonly kind = 'slack';

  deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return postForDelivery({ url: this._cfg.url, body: JSON.stringify(slackPayload(n, this._cfg)), signal, isSuccess: (status) => status === 200 });
  }
}
