/**
 * The rules: every group (from `GET /api/v1/rules`) with its rules' state, health, last
 * evaluation and error; the rule files (from `/api/fathom/rules`) to open in the editor, create
 * or delete. With `file` in the URL, the editor of that file.
 */
import { useState } from 'react';
import { deleteRuleFile, fetchRuleFiles, fetchRuleGroups } from '../lib/alerts-api.js';
import type { RuleFile, RuleGroupInfo, RuleInfo } from '../lib/alerts-api.js';
import { formatAge, formatSeconds } from '../lib/format.js';
import { ruleFileNameError } from '../lib/rule-editor.js';
import type { ViewProps } from './App.js';
import { RuleFileEditor } from './RuleFileEditor.js';
import { useAsync } from './use-async.js';

export function RulesView(props: ViewProps): React.JSX.Element {
  if (props.state.ruleFile !== undefined) return <RuleFileEditor {...props} file={props.state.ruleFile} />;
  return (
    <div className="rules-page">
      <RuleFilesCard {...props} />
      <RuleGroups {...props} />
    </div>
  );
}

function RuleFilesCard({ update }: ViewProps): React.JSX.Element {
  const [reload, setReload] = useState(0);
  const files = useAsync(`files#${reload}`, fetchRuleFiles);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const create = (): void => {
    const n = name.trim().endsWith('.yaml') || name.trim().endsWith('.yml') ? name.trim() : `${name.trim()}.yaml`;
    const bad = ruleFileNameError(n);
    if (bad !== undefined) return setError(bad);
    if (files.data?.some((f) => f.name === n)) return setError(`${n} exists: open it below`);
    update({ ruleFile: n });
  };
  const remove = async (f: RuleFile): Promise<void> => {
    if (!window.confirm(`Delete ${f.name}? Its rules stop being evaluated.`)) return;
    try {
      await deleteRuleFile(f.name);
      setReload((r) => r + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="card" data-testid="rule-files">
      <div className="table-head">
        <h2>Rule files</h2>
        <span className="muted">Prometheus rule-file format, plus Fathom's threshold, event and no-data kinds.</span>
        <div className="spacer" />
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); create(); }}>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="new-file.yaml" aria-label="new rule file name" />
          <button className="primary" type="submit">New file</button>
        </form>
      </div>
      {(error || files.error) && <div className="error">{error || files.error}</div>}
      {files.data && files.data.length === 0 && <div className="empty">No rule files yet: create one to add your own rules.</div>}
      {files.data && files.data.length > 0 && (
        <table className="list">
          <thead><tr><th>File</th><th>Status</th><th>Rules</th><th /></tr></thead>
          <tbody>
            {files.data.map((f) => (
              <tr key={f.name} data-testid="rule-file" data-file={f.name}>
                <td><a href="#" className="link" onClick={(e) => { e.preventDefault(); update({ ruleFile: f.name }); }}>{f.name}</a></td>
                <td>{f.error ? <span className="badge err" title={f.error}>error</span> : <span className="badge ok">{f.status || 'loaded'}</span>}{f.error && <div className="error small">{f.error}</div>}</td>
                <td className="muted">{countRules(f.source)}</td>
                <td className="actions nowrap">
                  <button onClick={() => update({ ruleFile: f.name })}>Edit</button>
                  <button className="danger" onClick={() => void remove(f)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function countRules(source: string): string {
  const alerts = (source.match(/^\s*-\s*alert:/gm) ?? []).length;
  const records = (source.match(/^\s*-\s*record:/gm) ?? []).length;
  const parts = [alerts > 0 ? `${alerts} alerting` : '', records > 0 ? `${records} recording` : ''].filter((p) => p !== '');
  return parts.join(', ') || '—';
}

function RuleGroups({ nowMs, state, update }: ViewProps): React.JSX.Element {
  const { data, error, loading } = useAsync(`rules#${nowMs}`, fetchRuleGroups);
  const words = state.search.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const match = (r: RuleInfo, g: RuleGroupInfo): boolean => words.every((w) => `${r.name} ${g.name} ${g.file} ${r.state ?? ''} ${r.health}`.toLowerCase().includes(w));
  const total = (data ?? []).reduce((n, g) => n + g.rules.length, 0);
  const failing = (data ?? []).reduce((n, g) => n + g.rules.filter((r) => r.health === 'err').length, 0);
  return (
    <section className="card" data-testid="rule-groups">
      <div className="table-head">
        <h2>Rules <span className="muted">{loading && !data ? 'loading…' : `${total} in ${(data ?? []).length} groups`}</span></h2>
        {failing > 0 && <span className="badge err">{failing} failing</span>}
        <input className="search" type="search" placeholder="Search rules, groups, files, states" value={state.search} onChange={(e) => update({ search: e.target.value }, false)} aria-label="search rules" />
      </div>
      {error && <div className="error">{error}</div>}
      {data && data.length === 0 && <div className="empty">No rules are loaded.</div>}
      {(data ?? []).map((g) => {
        const rules = g.rules.filter((r) => match(r, g));
        if (rules.length === 0) return null;
        return (
          <div className="rule-group" key={`${g.file}#${g.name}`} data-testid="rule-group" data-group={g.name}>
            <div className="rule-group-head">
              <strong>{g.name}</strong>
              <span className="muted small">{g.file} · every {formatSeconds(g.intervalS)}{g.lastEvaluationMs !== undefined ? ` · evaluated ${formatAge(nowMs - g.lastEvaluationMs)} ago in ${formatSeconds(g.evaluationTimeS)}` : ' · not evaluated yet'}</span>
            </div>
            <table className="list rules">
              <tbody>
                {rules.map((r) => <RuleRow key={`${r.type}:${r.name}:${r.query}`} rule={r} nowMs={nowMs} />)}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}

function RuleRow({ rule: r, nowMs }: { rule: RuleInfo; nowMs: number }): React.JSX.Element {
  const state = r.type === 'recording' ? 'recording' : (r.state ?? 'inactive');
  return (
    <tr data-testid="rule-row" data-rule={r.name} data-state={state} data-health={r.health}>
      <td className="nowrap"><span className={`badge ${state}`}>{state}{r.alerts.length > 0 ? ` ${r.alerts.length}` : ''}</span></td>
      <td className="rule-main">
        <div className="alert-name">{r.name}{r.durationS > 0 && <span className="muted small"> for {formatSeconds(r.durationS)}</span>}</div>
        <code className="query" title={r.query}>{r.query}</code>
        {r.lastError !== '' && <div className="error small" data-testid="rule-error">{r.lastError}</div>}
      </td>
      <td className="nowrap"><span className={`badge ${r.health === 'ok' ? 'ok' : r.health === 'err' ? 'err' : 'unknown'}`}>{r.health}</span></td>
      <td className="nowrap muted small">{r.lastEvaluationMs !== undefined ? `${formatAge(nowMs - r.lastEvaluationMs)} ago · ${formatSeconds(r.evaluationTimeS)}` : 'not evaluated'}</td>
    </tr>
  );
}
