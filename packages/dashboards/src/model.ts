/**
 * Dashboards: panels of PromQL queries, and variables whose values come from label values.
 * Built-in dashboards (by scope) and user dashboards share this model; user dashboards are
 * JSON documents (spec: docs/formats/dashboard.md). Pure.
 */
/** Value units panels format with (the web UI's formatter knows each). */
export type Unit = 'cores' | 'bytes' | 'bytesPerS' | 'percent' | 'seconds' | 'count' | 'ratio' | 'perS' | 'none';

export type PanelType = 'timeseries' | 'bar' | 'stat' | 'table';
export const PANEL_TYPES: readonly PanelType[] = ['timeseries', 'bar', 'stat', 'table'];
export const UNITS: readonly Unit[] = ['none', 'cores', 'bytes', 'bytesPerS', 'percent', 'ratio', 'seconds', 'count', 'perS'];

export interface PanelQuery {
  readonly expr: string;
  /** Legend template: `{{label}}` placeholders; default: the series' labels. */
  readonly legend?: string;
}

export interface Panel {
  readonly title: string;
  readonly type: PanelType;
  readonly unit: Unit;
  readonly queries: readonly PanelQuery[];
  /** Columns out of 2 (timeseries default 1; a wide panel 2). */
  readonly width?: 1 | 2;
  /** For bar and table: how many entries to keep (largest first). */
  readonly limit?: number;
}

export interface Variable {
  readonly name: string;
  /** The label whose values the variable offers. */
  readonly label: string;
  /** Optional series selector restricting the values, e.g. `kube_pod_info`. */
  readonly match?: string;
}

export interface Dashboard {
  readonly version: 1;
  readonly id: string;
  readonly title: string;
  readonly variables: readonly Variable[];
  readonly panels: readonly Panel[];
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const VAR_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a dashboard document (from an import or the server). Returns the dashboard, or
 * throws an Error naming the first bad field, e.g. `panels[2].type: ...`.
 */
export function parseDashboard(raw: unknown): Dashboard {
  const fail = (field: string, msg: string): never => {
    throw new Error(`${field}: ${msg}`);
  };
  if (!isObj(raw)) return fail('dashboard', 'expected a JSON object');
  if (raw.version !== 1) fail('version', `expected 1, got ${JSON.stringify(raw.version)}`);
  if (typeof raw.id !== 'string' || !ID_RE.test(raw.id)) fail('id', 'expected lowercase letters, digits and dashes (1–63)');
  if (typeof raw.title !== 'string' || raw.title.trim() === '' || raw.title.length > 200) fail('title', 'expected a non-empty string of at most 200 characters');
  const vars = raw.variables ?? [];
  if (!Array.isArray(vars)) return fail('variables', 'expected an array');
  const variables = vars.map((v: unknown, i): Variable => {
    const f = `variables[${i}]`;
    if (!isObj(v)) return fail(f, 'expected an object');
    if (typeof v.name !== 'string' || !VAR_RE.test(v.name)) fail(`${f}.name`, 'expected a name like ns or node_name');
    if (typeof v.label !== 'string' || !VAR_RE.test(v.label)) fail(`${f}.label`, 'expected a label name');
    if (v.match !== undefined && typeof v.match !== 'string') fail(`${f}.match`, 'expected a series selector string');
    return { name: v.name as string, label: v.label as string, ...(typeof v.match === 'string' && v.match !== '' ? { match: v.match } : {}) };
  });
  if (!Array.isArray(raw.panels)) return fail('panels', 'expected an array');
  const panels = raw.panels.map((p: unknown, i): Panel => {
    const f = `panels[${i}]`;
    if (!isObj(p)) return fail(f, 'expected an object');
    if (typeof p.title !== 'string') fail(`${f}.title`, 'expected a string');
    if (!(PANEL_TYPES as readonly unknown[]).includes(p.type)) fail(`${f}.type`, `expected one of ${PANEL_TYPES.join(', ')}`);
    if (!(UNITS as readonly unknown[]).includes(p.unit ?? 'none')) fail(`${f}.unit`, `expected one of ${UNITS.join(', ')}`);
    if (!Array.isArray(p.queries) || p.queries.length === 0) fail(`${f}.queries`, 'expected at least one query');
    const queries = (p.queries as unknown[]).map((q, j): PanelQuery => {
      if (!isObj(q) || typeof q.expr !== 'string' || q.expr.trim() === '') return fail(`${f}.queries[${j}].expr`, 'expected a PromQL expression');
      if (q.legend !== undefined && typeof q.legend !== 'string') fail(`${f}.queries[${j}].legend`, 'expected a string');
      return { expr: q.expr, ...(typeof q.legend === 'string' && q.legend !== '' ? { legend: q.legend } : {}) };
    });
    if (p.width !== undefined && p.width !== 1 && p.width !== 2) fail(`${f}.width`, 'expected 1 or 2');
    if (p.limit !== undefined && (!Number.isInteger(p.limit) || (p.limit as number) < 1 || (p.limit as number) > 1000)) fail(`${f}.limit`, 'expected an integer from 1 to 1000');
    return {
      title: p.title as string, type: p.type as PanelType, unit: (p.unit ?? 'none') as Unit, queries,
      ...(p.width !== undefined ? { width: p.width as 1 | 2 } : {}), ...(p.limit !== undefined ? { limit: p.limit as number } : {}),
    };
  });
  return { version: 1, id: raw.id as string, title: (raw.title as string).trim(), variables, panels };
}

/** `{{label}}` placeholders filled from the series' labels; without a template, the labels themselves. */
export function legendFor(metric: Readonly<Record<string, string>>, template: string | undefined): string {
  if (template !== undefined) return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');
  const keys = Object.keys(metric).filter((k) => k !== '__name__');
  if (keys.length === 0) return metric.__name__ ?? 'value';
  return keys.map((k) => (keys.length === 1 ? metric[k]! : `${k}=${metric[k]!}`)).join(', ');
}

/** A URL-safe id from a title (`CPU by team` → `cpu-by-team`). */
export function slug(title: string): string {
  const s = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return s === '' ? 'dashboard' : s;
}
