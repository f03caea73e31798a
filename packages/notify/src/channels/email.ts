/**
 * E-mail over SMTP with nodemailer: subject = the notification's title; a text and an HTML body
 * listing the alerts, each linked to the UI, plus the group link. SMTP 4xx replies and connection
 * errors are retried; 5xx replies (a refused recipient, a refused login) are not.
 */
import type { Transporter } from 'nodemailer';
import type { DeliveryResult } from '../channel.js';
import type { EmailChannelConfig } from '../config.js';
import type { Notification } from '../notification.js';
import { titleOf } from '../notification.js';
import { alertLine, counts, escapeHtml } from '../text-render.js';
import { PersonChannel } from './person-channel.js';

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function emailMessage(n: Notification): EmailMessage {
  const subject = titleOf(n);
  const c = counts(n);
  const summary = `${c.firing} firing, ${c.resolved} resolved`;
  const text = [
    subject,
    '',
    summary,
    '',
    ...n.alerts.map((a) => `[${a.status}] ${alertLine(a)}\n  ${a.generatorUrl}`),
    '',
    `Open in Fathom: ${n.groupUrl}`,
    '',
  ].join('\n');
  const items = n.alerts
    .map((a) => `<li><strong>${a.status}</strong> <a href="${escapeHtml(a.generatorUrl)}">${escapeHtml(alertLine(a))}</a></li>`)
    .join('');
  const html = `<!doctype html><html><body><h2 style="color:${n.status === 'firing' ? '#d63232' : '#2eb67d'}">${escapeHtml(subject)}</h2><p>${summary}</p><ul>${items}</ul><p><a href="${escapeHtml(n.groupUrl)}">Open in Fathom</a></p></body></html>`;
  return { subject, text, html };
}

export class EmailChannel extends PersonChannel<EmailChannelConfig> {
  readonly kind = 'email';
  /** Made at the first delivery: nodemailer (~60 modules, ~70 ms to load) is imported only by a server that sends e-mail. */
  private _transport: Promise<Transporter> | undefined;
  private _closed = false;

  private _transportNow(): Promise<Transporter> {
    const cfg = this._cfg;
    const timeoutMs = cfg.timeoutMs ?? 10_000;
    if (this._closed) return Promise.reject(new Error('e-mail channel closed'));
    if (this._transport) return this._transport;
    const made = import('nodemailer').then(({ createTransport }) =>
      createTransport({
        host: cfg.host,
        port: cfg.port,
        secure: cfg.secure ?? false,
        requireTLS: cfg.requireTls ?? false,
        ...(cfg.auth ? { auth: { user: cfg.auth.user, pass: cfg.auth.pass } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    );
    // a failed import or transport is not kept: the retry of a retryable delivery tries again
    made.catch(() => {
      if (this._transport === made) this._transport = undefined;
    });
    this._transport = made;
    return made;
  }

  async deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const m = emailMessage(n);
    const sending = this._transportNow().then((t) => t.sendMail({ from: this._cfg.from, to: [...this._cfg.to], subject: m.subject, text: m.text, html: m.html })).then(
      (): DeliveryResult => ({ status: 'success' }),
      (err: unknown) => classifySmtpError(err),
    );
    const aborted = new Promise<DeliveryResult>((resolve) => {
      if (signal.aborted) resolve({ status: 'retryable', reason: 'smtp: timed out or cancelled' });
      signal.addEventListener('abort', () => resolve({ status: 'retryable', reason: 'smtp: timed out or cancelled' }), { once: true });
    });
    return Promise.race([sending, aborted]);
  }

  async close(): Promise<void> {
    this._closed = true;
    const t = this._transport;
    this._transport = undefined;
    if (!t) return;
    try {
      (await t).close();
    } catch {
      // no transport was made: nothing to close
    }
  }
}

/** SMTP reply 4xx → retryable, 5xx → failure; authentication errors → failure; the rest (network) → retryable. */
export function classifySmtpError(err: unknown): DeliveryResult {
  const e = err as { message?: string; responseCode?: number; code?: string };
  const reason = `smtp: ${e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? { status: 'failure', reason } : { status: 'retryable', reason };
  if (e.code === 'EAUTH') return { status: 'failure', reason };
  return { status: 'retryable', reason };
}
