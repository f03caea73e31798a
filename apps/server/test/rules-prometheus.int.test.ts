/**
 * The rules and alerts API beside a real Prometheus (Debian's) evaluating the same rule file:
 * every field Prometheus returns in /api/v1/rules and /api/v1/alerts is there in Fathom's answer
 * with the same JSON type, and the values that do not depend on timing are equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverConfigSchema } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { prometheusPeer, skipUnless, startPrometheus, tempDir, waitFor } from '@fathom/testkit';
import { FathomServer } from '../src/server.js';

const RULES = `groups:
  - name: shapes
    interval: 1s
    rules:
      - record: two:vector
        expr: vector(2)
        labels: { origin: rule }
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: { severity: page }
        annotations: { summary: "value {{ $value }}" }
      - alert: NeverFiring
        expr: vector(1) < 0
        for: 5m
`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Fields newer than the Prometheus we compare with (2.42), which Fathom returns. */
const NEWER_FIELDS = new Set<string>([]);

function sameShape(prom: Json, ours: Json, path: string, problems: string[]): void {
  if (Array.isArray(prom)) {
    if (!Array.isArray(ours)) return void problems.push(`${path}: expected an array`);
    if (prom.length !== ours.length) problems.push(`${path}: ${prom.length} items in Prometheus, ${ours.length} in Fathom`);
    prom.forEach((p, i) => sameShape(p, ours[i] ?? null, `${path}[${i}]`, problems));
    return;
  }
  if (prom !== null && typeof prom === 'object') {
    if (ours === null || typeof ours !== 'object' || Array.isArray(ours)) return void problems.push(`${path}: expected an object`);
    for (const k of Object.keys(prom)) {
      if (!(k in ours)) problems.push(`${path}.${k}: missing in Fathom`);
      else if (!['lastEvaluation', 'evaluationTime', 'activeAt'].includes(k)) sameShape(prom[k] ?? null, ours[k] ?? null, `${path}.${k}`, problems);
      else if (typeof prom[k] !== typeof ours[k]) problems.push(`${path}.${k}: ${typeof prom[k]} in Prometheus, ${typeof ours[k]} in Fathom`);
    }
    for (const k of Object.keys(ours)) if (!(k in prom) && !NEWER_FIELDS.has(k)) problems.push(`${path}.${k}: not in Prometheus' answer`);
    return;
  }
  if (prom !== ours) problems.push(`${path}: ${JSON.stringify(prom)} in Prometheus, ${JSON.stringify(ours)} in Fathom`);
}

/** The answer, with rule groups' `file` reduced to the base name (Prometheus reports the path). */
async function get(base: string, path: string): Promise<Json> {
  const body = (await (await fetch(`${base}${path}`)).json()) as Json;
  const groups = (body as { data?: { groups?: { file: string }[] } }).data?.groups ?? [];
  for (const g of groups) g.file = g.file.replace(/^.*\//, '');
  return body;
}

test('/api/v1/rules and /api/v1/alerts answer like Prometheus for the same rule file', { skip: skipUnless(prometheusPeer()) }, async (t) => {
  const dir = await tempDir('fathom-rules-prom-');
  t.after(dir.cleanup);
  await mkdir(join(dir.path, 'fathom', 'rules'), { recursive: true });
  await writeFile(join(dir.path, 'fathom', 'rules', 'shapes.yaml'), RULES);
  const ruleFile = join(dir.path, 'shapes.yaml');
  await writeFile(ruleFile, RULES);
  const prom = await startPrometheus({ config: `global:\n  evaluation_interval: 1s\nrule_files: ['${ruleFile}']\n` });
  t.after(() => prom.stop());
  const server = new FathomServer(serverConfigSchema.parse({ port: 0, dataDir: join(dir.path, 'fathom'), fsync: 'never', alertLibrary: { enabled: false } }), { logger: NOOP_LOGGER });
  const stop = new AbortController();
  const running = server.run(stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  const base = `http://127.0.0.1:${await server.listening()}`;
  const evaluated = async (url: string) => {
    const r = (await get(url, '/api/v1/rules')) as { data: { groups: { rules: { health: string }[] }[] } };
    return r.data.groups[0]?.rules.every((x) => x.health === 'ok') ? r : undefined;
  };
  await waitFor('Prometheus evaluated the rules', () => evaluated(prom.url), 30_000, 200);
  await waitFor('Fathom evaluated the rules', () => evaluated(base), 30_000, 200);
  const problems: string[] = [];
  sameShape(await get(prom.url, '/api/v1/rules'), await get(base, '/api/v1/rules'), 'rules', problems);
  sameShape(await get(prom.url, '/api/v1/alerts'), await get(base, '/api/v1/alerts'), 'alerts', problems);
  for (const type of ['alert', 'record']) sameShape(await get(prom.url, `/api/v1/rules?type=${type}`), await get(base, `/api/v1/rules?type=${type}`), `rules?type=${type}`, problems);
  assert.deepEqual(problems, []);
});
