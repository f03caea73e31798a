/**
 * The alerting APIs from the browser: Prometheus' `GET /api/v1/alerts` and `GET /api/v1/rules`
 * (their exact shapes), Fathom's rule files (`/api/fathom/rules`) and silences
 * (`/api/fathom/silences`). Answers are normalized here (times to ms, optional fields filled) so
 * components see one shape.
 */
import { getJson, sendJson, sendText } from './prom-client.js';

export type AlertState = 'pending' | 'firing';
export type RuleState = 'inactive' | AlertState;

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: AlertState;
  /** When the alert became active (pending), Unix ms; undefined when the server did not say. */
  readonly activeAtMs: number | undefined;
  readonly value: string;
}

export interface RuleInfo {
  readonly type: 'alerting' | 'recording';
  readonly name: string;
  readonly query: string;
  /** `for`, seconds (alerting rules). */
  readonly durationS: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: RuleState | undefined;
  readonly health: string;
  readonly lastError: string;
  readonly lastEvaluationMs: number | undefined;
  readonly evaluationTimeS: number;
  readonly alerts: readonly ActiveAlert[];
}

export interface RuleGroupInfo {
  readonly name: string;
  readonly file: string;
  readonly intervalS: number;
  readonly lastEvaluationMs: number | undefined;
  readonly evaluationTimeS: number;
  readonly rules: readonly RuleInfo[];
}

export interface RuleFile {
  readonly name: string;
  readonly source: string;
  /** The server's word on the file (e.g. "loaded"), if any. */
  readonly status: string;
  readonly error: string;
}

export interface SilenceMatcher {
  readonly name: string;
  readonly type: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface Silence {
  readonly id: string;
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

export interface SilenceInput {
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function strMap(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, str(x)]));
}

/** RFC 3339 text (Prometheus) or Unix ms → ms; the zero time `0001-01-01…` and garbage → undefined. */
export function timeMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v !== 'string' || v.startsWith('0001-')) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

export function normalizeAlert(v: unknown): ActiveAlert {
  const o = obj(v);
  return { labels: strMap(o.labels), annotations: strMap(o.annotations), state: o.state === 'pending' ? 'pending' : 'firing', activeAtMs: timeMs(o.activeAt ?? o.activeAtMs), value: str(o.value) };
}

export function normalizeRule(v: unknown): RuleInfo {
  const o = obj(v);
  const state = o.state === 'firing' || o.state === 'pending' || o.state === 'inactive' ? o.state : undefined;
  return {
    type: o.type === 'recording' ? 'recording' : 'alerting',
    name: str(o.name), query: str(o.query), durationS: num(o.duration),
    labels: strMap(o.labels), annotations: strMap(o.annotations), state,
    health: str(o.health) || 'unknown', lastError: str(o.lastError),
    lastEvaluationMs: timeMs(o.lastEvaluation), evaluationTimeS: num(o.evaluationTime),
    alerts: arr(o.alerts).map(normalizeAlert),
  };
}

export function normalizeGroups(data: unknown): RuleGroupInfo[] {
  return arr(obj(data).groups).map((g) => {
    const o = obj(g);
    return { name: str(o.name), file: str(o.file), intervalS: num(o.interval), lastEvaluationMs: timeMs(o.lastEvaluation), evaluationTimeS: num(o.evaluationTime), rules: arr(o.rules).map(normalizeRule) };
  });
}

/** The rule files list: an array of files, or `{ files: [...] }`. */
export function normalizeRuleFiles(data: unknown): RuleFile[] {
  const list = Array.isArray(data) ? data : arr(obj(data).files);
  return list.map((f) => {
    const o = obj(f);
    const e = o.error ?? o.lastError;
    // The error is text, or a problem `{ line, column, message }`.
    const eo = obj(e);
    const error = typeof e === 'string' ? e : eo.message !== undefined ? `line ${str(eo.line)}, column ${str(eo.column)}: ${str(eo.message)}` : '';
    return { name: str(o.name ?? o.file), source: str(o.source ?? o.yaml), status: str(o.status), error };
  });
}

export function normalizeSilence(v: unknown): Silence {
  const o = obj(v);
  const type = (t: unknown): SilenceMatcher['type'] => (t === '!=' || t === '=~' || t === '!~' ? t : '=');
  return {
    id: str(o.id),
    matchers: arr(o.matchers).map((m) => {
      const x = obj(m);
      // Alertmanager's form: { isRegex, isEqual }.
      const t = x.type ?? (x.isRegex === true ? (x.isEqual === false ? '!~' : '=~') : x.isEqual === false ? '!=' : '=');
      return { name: str(x.name), type: type(t), value: str(x.value) };
    }),
    startsAtMs: timeMs(o.startsAtMs ?? o.startsAt) ?? 0,
    endsAtMs: timeMs(o.endsAtMs ?? o.endsAt) ?? 0,
    createdBy: str(o.createdBy), comment: str(o.comment),
  };
}

/** The silences list: an array, or `{ silences: [...] }`. */
export function normalizeSilences(data: unknown): Silence[] {
  return (Array.isArray(data) ? data : arr(obj(data).silences)).map(normalizeSilence);
}

export async function fetchAlerts(signal?: AbortSignal): Promise<ActiveAlert[]> {
  return arr(obj(await getJson<unknown>('/api/v1/alerts', signal)).alerts).map(normalizeAlert);
}

export async function fetchRuleGroups(signal?: AbortSignal): Promise<RuleGroupInfo[]> {
  return normalizeGroups(await getJson<unknown>('/api/v1/rules', signal));
}

export async function fetchRuleFiles(signal?: AbortSignal): Promise<RuleFile[]> {
  return normalizeRuleFiles(await getJson<unknown>('/api/fathom/rules', signal));
}

/** Saves a rule file; a refused file throws `ApiError` with the line and column. */
export function saveRuleFile(name: string, yaml: string): Promise<unknown> {
  return sendText('PUT', `/api/fathom/rules/${encodeURIComponent(name)}`, yaml);
}

export function deleteRuleFile(name: string): Promise<unknown> {
  return sendJson('DELETE', `/api/fathom/rules/${encodeURIComponent(name)}`);
}

export async function fetchSilences(signal?: AbortSignal): Promise<Silence[]> {
  return normalizeSilences(await getJson<unknown>('/api/fathom/silences', signal));
}

export function createSilence(input: SilenceInput): Promise<unknown> {
  return sendJson('POST', '/api/fathom/silences', input);
}

export function expireSilence(id: string): Promise<unknown> {
  return sendJson('DELETE', `/api/fathom/silences/${encodeURIComponent(id)}`);
}
