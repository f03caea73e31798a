/**
 * Differential PromQL checking: the same query against Fathom and a reference Prometheus, results
 * normalised (series sorted unless the query sorts, values within a relative 1e-6) and compared.
 */
export type QueryKind = { readonly kind: 'instant'; readonly atS: number } | { readonly kind: 'range'; readonly startS: number; readonly endS: number; readonly stepS: number };

interface ApiBody {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

export interface Diff {
  readonly query: string;
  readonly ok: boolean;
  readonly detail?: string;
  readonly fathomMs: number;
  readonly referenceMs: number;
}

export async function apiQuery(baseUrl: string, q: string, k: QueryKind): Promise<{ body: ApiBody; ms: number }> {
  const params = new URLSearchParams({ query: q });
  if (k.kind === 'instant') params.set('time', String(k.atS));
  else {
    params.set('start', String(k.startS));
    params.set('end', String(k.endS));
    params.set('step', String(k.stepS));
  }
  const t0 = performance.now();
  const r = await fetch(`${baseUrl}/api/v1/${k.kind === 'instant' ? 'query' : 'query_range'}`, {
    method: 'POST',
    body: params.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const body = (await r.json()) as ApiBody;
  return { body, ms: performance.now() - t0 };
}

export async function compareQuery(fathomUrl: string, referenceUrl: string, q: string, k: QueryKind): Promise<Diff> {
  const [ours, theirs] = [await apiQuery(fathomUrl, q, k), await apiQuery(referenceUrl, q, k)];
  const base = { query: q, fathomMs: ours.ms, referenceMs: theirs.ms };
  if (theirs.body.status !== 'success' || ours.body.status !== 'success') {
    const same = theirs.body.status === ours.body.status && theirs.body.errorType === ours.body.errorType;
    return { ...base, ok: same, ...(same ? {} : { detail: `status: fathom ${ours.body.status} ${ours.body.error ?? ''} / reference ${theirs.body.status} ${theirs.body.error ?? ''}` }) };
  }
  const ordered = /\bsort(_desc)?\s*\(/.test(q);
  const detail = diffResults(normalise(ours.body, ordered), normalise(theirs.body, ordered));
  return { ...base, ok: detail === undefined, ...(detail ? { detail } : {}) };
}

interface Row {
  key: string;
  values: [number, string][];
}

function normalise(body: ApiBody, ordered: boolean): { type: string; rows: Row[] } {
  const type = body.data?.resultType ?? '';
  const result = body.data?.result;
  let rows: Row[];
  if (type === 'scalar' || type === 'string') rows = [{ key: '{}', values: [result as [number, string]] }];
  else {
    const list = (result ?? []) as { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
    rows = list.map((s) => ({ key: JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1))), values: s.values ?? (s.value ? [s.value] : []) }));
  }
  if (!ordered) rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { type, rows };
}

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= Math.max(1e-6 * Math.max(Math.abs(x), Math.abs(y)), 1e-9);
}

function diffResults(ours: { type: string; rows: Row[] }, theirs: { type: string; rows: Row[] }): string | undefined {
  if (ours.type !== theirs.type) return `result type ${ours.type} vs ${theirs.type}`;
  if (ours.rows.length !== theirs.rows.length) return `${ours.rows.length} series vs ${theirs.rows.length}: first extra ${JSON.stringify((ours.rows.length > theirs.rows.length ? ours.rows : theirs.rows).find((r) => !(ours.rows.length > theirs.rows.length ? theirs.rows : ours.rows).some((o) => o.key === r.key))?.key)}`;
  for (let i = 0; i < ours.rows.length; i++) {
    const a = ours.rows[i];
    const b = theirs.rows[i];
    if (!a || !b) continue;
    if (a.key !== b.key) return `series ${a.key} vs ${b.key}`;
    if (a.values.length !== b.values.length) return `${a.key}: ${a.values.length} points vs ${b.values.length}`;
    for (let j = 0; j < a.values.length; j++) {
      const [ta, va] = a.values[j] ?? [0, ''];
      const [tb, vb] = b.values[j] ?? [0, ''];
      if (ta !== tb || !close(va, vb)) return `${a.key} point ${j}: [${ta}, ${va}] vs [${tb}, ${vb}]`;
    }
  }
  return undefined;
}
