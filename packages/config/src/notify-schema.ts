/**
 * `server.notify`: receivers (channels), the routing tree and mute windows, validated into the
 * shape `@fathom/notify` consumes (`NotifyConfig`): durations in ms, matchers as
 * `{ name, type, value }`. Cross references (a route naming a receiver or mute window that does
 * not exist) are errors naming the route.
 */
import { InvalidMatcherError, isValidLabelName, matcher } from '@fathom/model';
import type { MatchType } from '@fathom/model';
import { z } from 'zod';
import { durationMs, port } from './units.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** Alertmanager's matcher text: `name="value"`, `name=~"regex"`, `name!=value`, `name!~"re"`. */
const matcherText = z.string().transform((text, ctx) => {
  const m = /^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m || !isValidLabelName(m[1] ?? '')) {
    ctx.addIssue({ code: 'custom', message: `bad matcher ${JSON.stringify(text)}: expected name="value" with = != =~ or !~` });
    return z.NEVER;
  }
  const raw = m[3] ?? '';
  let value = raw;
  try {
    if (raw.startsWith('"')) value = JSON.parse(raw) as string;
    matcher(m[1] ?? '', m[2] as MatchType, value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `bad matcher ${JSON.stringify(text)}: ${err instanceof InvalidMatcherError ? err.message : 'malformed quoted value'}` });
    return z.NEVER;
  }
  return { name: m[1] ?? '', type: m[2] as MatchType, value };
});

const common = { sendResolved: z.boolean().optional(), timeoutMs: durationMs.optional() };

const receiver = z.strictObject({
  name: z.string().min(1),
  webhook: z.array(z.strictObject({ ...common, url: httpUrl, maxAlerts: z.number().int().min(0).optional(), headers: z.record(z.string(), z.string()).optional() })).optional(),
  alertmanager: z.array(z.strictObject({ ...common, url: httpUrl })).optional(),
  slack: z.array(z.strictObject({ ...common, url: httpUrl, channel: z.string().optional(), username: z.string().optional() })).optional(),
  pagerduty: z.array(z.strictObject({ ...common, routingKey: z.string().min(1), url: httpUrl.optional(), severity: z.enum(['critical', 'error', 'warning', 'info']).optional() })).optional(),
  email: z
    .array(
      z.strictObject({
        ...common,
        to: z.array(z.email()).min(1),
        from: z.string().min(1),
        host: z.string().min(1),
        port: port,
        secure: z.boolean().optional(),
        requireTls: z.boolean().optional(),
        auth: z.strictObject({ user: z.string(), pass: z.string() }).optional(),
      }),
    )
    .optional(),
});

/** A route as validated (durations in ms, matchers parsed); children inherit what they leave out. */
export interface RouteIn {
  receiver?: string | undefined;
  matchers?: { name: string; type: MatchType; value: string }[] | undefined;
  groupBy?: string[] | undefined;
  groupWaitMs?: number | undefined;
  groupIntervalMs?: number | undefined;
  repeatIntervalMs?: number | undefined;
  continue?: boolean | undefined;
  muteWindows?: string[] | undefined;
  activeWindows?: string[] | undefined;
  routes?: RouteIn[] | undefined;
}

const route: z.ZodType<RouteIn> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    matchers: z.array(matcherText).optional(),
    groupBy: z.array(z.string().refine((l) => l === '...' || isValidLabelName(l), { message: 'expected a label name or "..."' })).optional(),
    groupWaitMs: durationMs.optional(),
    groupIntervalMs: durationMs.optional(),
    repeatIntervalMs: durationMs.optional(),
    continue: z.boolean().optional(),
    muteWindows: z.array(z.string()).optional(),
    activeWindows: z.array(z.string()).optional(),
    routes: z.array(route).optional(),
  }),
);

const WEEKDAY = /^(sunday|monday|tuesday|wednesday|thursday|friday|saturday)(:(sunday|monday|tuesday|wednesday|thursday|friday|saturday))?$/i;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'unknown time zone: expected an IANA name like "Europe/Paris"' },
);

const muteWindow = z.strictObject({
  name: z.string().min(1),
  timeIntervals: z
    .array(
      z.strictObject({
        weekdays: z.array(z.string().regex(WEEKDAY, 'expected a weekday or a range like "monday:friday"')).optional(),
        times: z.array(z.strictObject({ start: z.string().regex(TIME, 'expected HH:MM'), end: z.string().regex(TIME, 'expected HH:MM') })).optional(),
        location: timeZone.optional(),
      }),
    )
    .min(1),
});

export const notifyConfigSchema = z
  .strictObject({
    /** Not a setting: notifications link to the UI at `server.rules.externalUrl` (see `externalUrlOf`), as alerts do. */
    externalUrl: z.never({ error: 'not a setting here: set server.rules.externalUrl, the UI base URL of alert links and notifications alike' }).optional(),
    resolveTimeoutMs: durationMs.optional(),
    queueCapacity: z.number().int().min(1).optional(),
    receivers: z.array(receiver).default([{ name: 'default' }]),
    route: route.default({ receiver: 'default' }),
    muteWindows: z.array(muteWindow).default([]),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.receivers.forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `receiver name "${r.name}" is used twice` });
      names.add(r.name);
    });
    const windows = new Set(cfg.muteWindows.map((w) => w.name));
    if (cfg.route.receiver === undefined) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver' });
    const walk = (r: RouteIn, path: (string | number)[]): void => {
      if (r.receiver !== undefined && !names.has(r.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `receiver "${r.receiver}" is not defined in notify.receivers` });
      for (const key of ['muteWindows', 'activeWindows'] as const) {
        for (const w of r[key] ?? []) if (!windows.has(w)) ctx.addIssue({ code: 'custom', path: [...path, key], message: `mute window "${w}" is not defined in notify.muteWindows` });
      }
      (r.routes ?? []).forEach((c, i) => walk(c, [...path, 'routes', i]));
    };
    walk(cfg.route, ['route']);
  });

export type NotifySection = z.infer<typeof notifyConfigSchema>;
