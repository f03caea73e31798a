/**
 * The functions Prometheus offers alert templates (humanize*, printf, toUpper, match, …) and Go's
 * template builtins (eq, lt, and, not, len, index, …), with Go's semantics where authors rely on
 * them. Pure.
 */
import { formatG, formatValueV, sprintf } from './go-format.js';

export type TemplateValue = string | number | boolean | null | undefined | readonly TemplateValue[] | { readonly [k: string]: TemplateValue };
export type TemplateFunc = (...args: TemplateValue[]) => TemplateValue;

export class TemplateExecError extends Error {
  override readonly name = 'TemplateExecError';
}

/** Prometheus' convertToFloat: numbers as is, strings parsed, anything else an error. */
function toFloat(v: TemplateValue, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
    if (/^[+-]?(inf|nan)$/i.test(v.trim())) return /nan/i.test(v) ? NaN : v.trim().startsWith('-') ? -Infinity : Infinity;
  }
  throw new TemplateExecError(`error calling ${fn}: can't convert ${formatValueV(v)} to float`);
}

function g4(v: number): string {
  return formatG(v, 4);
}

function scaled(v: number, up: readonly string[], step: number, down: readonly string[]): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of up) {
      if (Math.abs(v) < step) break;
      prefix = p;
      v /= step;
    }
    return `${g4(v)}${prefix}`;
  }
  for (const p of down) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}`;
}

const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

export function humanize(v: number): string {
  return scaled(v, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'], 1000, SMALL);
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${g4(v)}${prefix}`;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const a = Math.abs(v);
    const total = Math.trunc(a);
    const s = total % 60;
    const m = Math.trunc(total / 60) % 60;
    const h = Math.trunc(total / 3600) % 24;
    const d = Math.trunc(total / 86400);
    if (d !== 0) return `${sign}${d}d ${h}h ${m}m ${s}s`;
    if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
    if (m !== 0) return `${sign}${m}m ${s}s`;
    return `${sign}${g4(a)}s`;
  }
  let prefix = '';
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  // Go's time.Time String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
  const iso = new Date(v * 1000).toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

function truthy(v: TemplateValue): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function compare(name: string, a: TemplateValue, b: TemplateValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateExecError(`error calling ${name}: incompatible types for comparison`);
}

function str(v: TemplateValue, fn: string): string {
  if (typeof v === 'string') return v;
  throw new TemplateExecError(`error calling ${fn}: expected a string, got ${formatValueV(v)}`);
}

function goRegex(pattern: string, fn: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new TemplateExecError(`error calling ${fn}: ${(err as Error).message}`);
  }
}

function floatFn(name: string, f: (v: number) => string): [string, TemplateFunc] {
  return [name, (v) => f(toFloat(v, name))];
}

export const TEMPLATE_FUNCS: ReadonlyMap<string, TemplateFunc> = new Map<string, TemplateFunc>([
  floatFn('humanize', humanize),
  floatFn('humanize1024', humanize1024),
  floatFn('humanizeDuration', humanizeDuration),
  floatFn('humanizePercentage', (v) => `${g4(v * 100)}%`),
  floatFn('humanizeTimestamp', humanizeTimestamp),
  ['printf', (format, ...args) => sprintf(str(format, 'printf'), args)],
  ['print', (...args) => args.map(formatValueV).join('')],
  ['println', (...args) => `${args.map(formatValueV).join(' ')}\n`],
  ['toUpper', (s) => str(s, 'toUpper').toUpperCase()],
  ['toLower', (s) => str(s, 'toLower').toLowerCase()],
  ['title', (s) => str(s, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase())],
  ['match', (re, s) => goRegex(str(re, 'match'), 'match').test(str(s, 'match'))],
  ['reReplaceAll', (re, repl, s) => str(s, 'reReplaceAll').replace(new RegExp(goRegex(str(re, 'reReplaceAll'), 'reReplaceAll').source, 'g'), str(repl, 'reReplaceAll').replace(/\$\{?(\d+)\}?/g, '$$$1'))],
  ['stripPort', (s) => str(s, 'stripPort').replace(/^\[?([^\]]*?)\]?:\d+$/, '$1')],
  ['stripDomain', (s) => str(s, 'stripDomain').replace(/^([^.:]+)[^:]*?(:\d+)?$/, '$1$2')],
  ['safeHtml', (s) => str(s, 'safeHtml')],
  ['urlquery', (...args) => encodeURIComponent(args.map(formatValueV).join(''))],
  ['html', (...args) => args.map(formatValueV).join('').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)],
  ['js', (...args) => JSON.stringify(args.map(formatValueV).join('')).slice(1, -1)],
  ['eq', (a, ...bs) => bs.some((b) => compare('eq', a, b) === 0)],
  ['ne', (a, b) => compare('ne', a, b) !== 0],
  ['lt', (a, b) => compare('lt', a, b) < 0],
  ['le', (a, b) => compare('le', a, b) <= 0],
  ['gt', (a, b) => compare('gt', a, b) > 0],
  ['ge', (a, b) => compare('ge', a, b) >= 0],
  ['not', (a) => !truthy(a)],
  ['and', (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1]],
  ['or', (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1]],
  ['len', (a) => (typeof a === 'string' || Array.isArray(a) ? a.length : a && typeof a === 'object' ? Object.keys(a).length : lenError(a))],
  ['index', (a, ...keys) => keys.reduce<TemplateValue>((acc, k) => indexInto(acc, k), a)],
  // Over `query` results (lists of { Labels, Value }), as in Prometheus.
  ['first', (l) => (Array.isArray(l) ? ((l as readonly TemplateValue[])[0] ?? emptyFirst()) : queryError('first', l))],
  ['label', (name, s) => ((s && typeof s === 'object' && !Array.isArray(s) ? (s as { Labels?: Record<string, TemplateValue> }).Labels?.[str(name, 'label')] : undefined) ?? '')],
  ['value', (s) => (s && typeof s === 'object' && !Array.isArray(s) ? ((s as { Value?: TemplateValue }).Value ?? null) : queryError('value', s))],
  ['sortByLabel', (name, l) => (Array.isArray(l) ? [...(l as readonly { Labels?: Record<string, string> }[])].sort((a, b) => ((a.Labels?.[str(name, 'sortByLabel')] ?? '') < (b.Labels?.[str(name, 'sortByLabel')] ?? '') ? -1 : 1)) : queryError('sortByLabel', l))],
]);

function emptyFirst(): never {
  throw new TemplateExecError('error calling first: first() called on vector with no elements');
}

function queryError(fn: string, v: TemplateValue): never {
  throw new TemplateExecError(`error calling ${fn}: expected query results, got ${formatValueV(v)}`);
}

function lenError(a: TemplateValue): never {
  throw new TemplateExecError(`error calling len: len of ${formatValueV(a)}`);
}

function indexInto(v: TemplateValue, k: TemplateValue): TemplateValue {
  if (Array.isArray(v) && typeof k === 'number') return (v as readonly TemplateValue[])[k];
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof k === 'string') return (v as Record<string, TemplateValue>)[k] ?? '';
  throw new TemplateExecError(`error calling index: cannot index ${formatValueV(v)} with ${formatValueV(k)}`);
}

export { truthy };
