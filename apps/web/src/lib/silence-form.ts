/**
 * The silence form: matchers typed as Alertmanager's text (`alertname="NodeDown", namespace=~"prod|test"`)
 * and a duration, checked before they are sent; and the matchers that silence one alert. Pure.
 */
import type { SilenceInput, SilenceMatcher } from './alerts-api.js';
import { parseShortDuration } from './time-range.js';

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Splits at commas outside double quotes. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quoted) {
      cur += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses one `name op value`; throws an Error saying what is wrong. */
export function parseMatcher(text: string): SilenceMatcher {
  const m = /^([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}": expected name="value" with = != =~ or !~`);
  const name = m[1]!;
  if (!NAME_RE.test(name)) throw new Error(`"${name}" is not a valid label name`);
  let value = m[3]!.trim();
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) throw new Error(`${name}: unterminated quoted value`);
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new Error(`${name}: bad escape in the quoted value`);
    }
  }
  const type = m[2] as SilenceMatcher['type'];
  if (type === '=~' || type === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw new Error(`${name}: bad regular expression: ${(err as Error).message}`);
    }
  }
  return { name, type, value };
}

function matchesEmpty(m: SilenceMatcher): boolean {
  switch (m.type) {
    case '=': return m.value === '';
    case '!=': return m.value !== '';
    case '=~': return new RegExp(`^(?:${m.value})$`).test('');
    case '!~': return !new RegExp(`^(?:${m.value})$`).test('');
  }
}

export function parseMatchers(text: string): SilenceMatcher[] {
  const ms = splitTop(text.replace(/^\s*\{|\}\s*$/g, '')).map(parseMatcher);
  if (ms.length === 0) throw new Error('give at least one matcher, e.g. alertname="NodeDown"');
  if (ms.every(matchesEmpty)) throw new Error('these matchers match every alert; narrow them (e.g. alertname="…")');
  return ms;
}

export function formatMatchers(ms: readonly SilenceMatcher[]): string {
  return ms.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ');
}

export interface SilenceForm {
  readonly matchers: string;
  /** `2h`, `30m`, `1d`. */
  readonly duration: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** The API input for the form, starting now; throws an Error naming the bad field. */
export function silenceInput(form: SilenceForm, nowMs: number): SilenceInput {
  const matchers = parseMatchers(form.matchers);
  const durationMs = parseShortDuration(form.duration.trim());
  if (durationMs === undefined) throw new Error(`duration "${form.duration}" is not like 30m, 2h or 1d`);
  if (form.createdBy.trim() === '') throw new Error('say who creates the silence');
  if (form.comment.trim() === '') throw new Error('say why (comment)');
  return { matchers, startsAtMs: nowMs, endsAtMs: nowMs + durationMs, createdBy: form.createdBy.trim(), comment: form.comment.trim() };
}

/** Matchers that silence this alert: its name and where it is. */
export function matchersForAlert(labels: Readonly<Record<string, string>>): string {
  const keys = ['alertname', 'cluster', 'namespace', 'workload', 'service', 'node', 'pod', 'container'].filter((k) => labels[k] !== undefined && labels[k] !== '');
  return formatMatchers(keys.map((k) => ({ name: k, type: '=', value: labels[k]! })));
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

export function silenceStatus(s: { startsAtMs: number; endsAtMs: number }, nowMs: number): SilenceStatus {
  if (nowMs >= s.endsAtMs) return 'expired';
  return nowMs < s.startsAtMs ? 'pending' : 'active';
}
