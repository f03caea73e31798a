/** One user dashboard: variable pickers (label values), panels, and an editor (save, export, delete). */
import { useEffect, useState } from 'react';
import { PANEL_TYPES, parseDashboard, UNITS } from '@fathom/dashboards';
import type { Dashboard, Panel, PanelType, Unit, Variable } from '@fathom/dashboards';
import { getJson, labelValues, sendJson } from '../lib/prom-client.js';
import { rateWindowMs, stepFor } from '../lib/time-range.js';
import type { ViewProps } from './App.js';
import { PanelGrid } from './PanelGrid.js';
import { useAsync } from './use-async.js';

export function DashboardPage(props: ViewProps & { id: string }): React.JSX.Element {
  const { id, update, state } = props;
  const loaded = useAsync(`dash#${id}`, (signal) => getJson<Dashboard>(`/api/fathom/dashboards/${encodeURIComponent(id)}`, signal));
  const [draft, setDraft] = useState<Dashboard | undefined>();
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  useEffect(() => setDraft(loaded.data), [loaded.data]);
  if (loaded.error) return <div className="card error">{loaded.error} <button onClick={() => update({ view: 'dashboards' })}>Back to dashboards</button></div>;
  if (!draft) return <div className="card muted">loading…</div>;
  const stepMs = stepFor(props.window);
  const save = async (): Promise<void> => {
    try {
      const d = parseDashboard(draft);
      await sendJson('PUT', `/api/fathom/dashboards/${d.id}`, d);
      setMessage('Saved.');
      setEditing(false);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  const remove = async (): Promise<void> => {
    if (!window.confirm(`Delete dashboard "${draft.title}"?`)) return;
    await sendJson('DELETE', `/api/fathom/dashboards/${draft.id}`);
    update({ view: 'dashboards', vars: {} });
  };
  const exportJson = (): void => {
    const blob = new Blob([`${JSON.stringify(draft, null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${draft.id}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const vars = Object.fromEntries(draft.variables.map((v) => [v.name, state.vars[v.name] ?? '']));
  return (
    <div className="dashboard-page">
      <div className="explore-bar">
        <button className="crumb" onClick={() => update({ view: 'dashboards', vars: {} })}>Dashboards</button>
        <span className="sep">›</span>
        <h2 className="inline-title">{draft.title}</h2>
        <div className="spacer" />
        {draft.variables.map((v) => <VariablePicker key={v.name} v={v} value={vars[v.name] ?? ''} onChange={(val) => update({ vars: { ...state.vars, [v.name]: val } })} />)}
        <button onClick={() => setEditing(!editing)}>{editing ? 'Done' : 'Edit'}</button>
        <button onClick={exportJson}>Export JSON</button>
      </div>
      {message && <div className="notice">{message}</div>}
      {editing && <Editor draft={draft} setDraft={setDraft} onSave={() => void save()} onDelete={() => void remove()} />}
      <PanelGrid {...props} panels={draft.panels} stepMs={stepMs} eventScope={{}} vars={{ ...vars, __rate_interval: `${rateWindowMs(stepMs) / 1000}s` }} />
    </div>
  );
}

function VariablePicker({ v, value, onChange }: { v: Variable; value: string; onChange: (value: string) => void }): React.JSX.Element {
  const values = useAsync(`${v.label}#${v.match ?? ''}`, (signal) => labelValues(v.label, v.match, signal));
  const options = values.data ?? [];
  useEffect(() => {
    if (value === '' && options.length > 0) onChange(options.includes('prod') ? 'prod' : options[0]!);
  }, [value, options, onChange]);
  return (
    <label className="variable">
      <span className="muted">{v.name}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
}

function Editor({ draft, setDraft, onSave, onDelete }: { draft: Dashboard; setDraft: (d: Dashboard) => void; onSave: () => void; onDelete: () => void }): React.JSX.Element {
  const setPanel = (i: number, p: Panel): void => setDraft({ ...draft, panels: draft.panels.map((x, j) => (j === i ? p : x)) });
  const setVar = (i: number, v: Variable): void => setDraft({ ...draft, variables: draft.variables.map((x, j) => (j === i ? v : x)) });
  return (
    <section className="card editor" data-testid="editor">
      <label>Title <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} /></label>
      <h3>Variables <span className="muted">(use as $name in queries)</span></h3>
      {draft.variables.map((v, i) => (
        <div key={i} className="editor-row">
          <input value={v.name} onChange={(e) => setVar(i, { ...v, name: e.target.value })} placeholder="name" aria-label="variable name" />
          <input value={v.label} onChange={(e) => setVar(i, { ...v, label: e.target.value })} placeholder="label" aria-label="variable label" />
          <input value={v.match ?? ''} onChange={(e) => setVar(i, { ...v, match: e.target.value })} placeholder="series selector (optional)" aria-label="variable match" />
          <button onClick={() => setDraft({ ...draft, variables: draft.variables.filter((_, j) => j !== i) })}>Remove</button>
        </div>
      ))}
      <button onClick={() => setDraft({ ...draft, variables: [...draft.variables, { name: 'node', label: 'node' }] })}>Add variable</button>
      <h3>Panels</h3>
      {draft.panels.map((p, i) => (
        <div key={i} className="editor-panel">
          <div className="editor-row">
            <input value={p.title} onChange={(e) => setPanel(i, { ...p, title: e.target.value })} placeholder="title" aria-label="panel title" />
            <select value={p.type} onChange={(e) => setPanel(i, { ...p, type: e.target.value as PanelType })} aria-label="panel type">{PANEL_TYPES.map((t) => <option key={t}>{t}</option>)}</select>
            <select value={p.unit} onChange={(e) => setPanel(i, { ...p, unit: e.target.value as Unit })} aria-label="panel unit">{UNITS.map((u) => <option key={u}>{u}</option>)}</select>
            <button onClick={() => setDraft({ ...draft, panels: draft.panels.filter((_, j) => j !== i) })}>Remove</button>
          </div>
          {p.queries.map((q, qi) => (
            <div key={qi} className="editor-row">
              <input className="expr" value={q.expr} onChange={(e) => setPanel(i, { ...p, queries: p.queries.map((x, k) => (k === qi ? { ...x, expr: e.target.value } : x)) })} placeholder="PromQL" aria-label="panel query" />
              <input value={q.legend ?? ''} onChange={(e) => setPanel(i, { ...p, queries: p.queries.map((x, k) => (k === qi ? { ...x, legend: e.target.value } : x)) })} placeholder="legend {{label}}" aria-label="panel legend" />
            </div>
          ))}
        </div>
      ))}
      <div className="editor-row">
        <button onClick={() => setDraft({ ...draft, panels: [...draft.panels, { title: 'New panel', type: 'timeseries', unit: 'none', queries: [{ expr: 'sum(up)' }] }] })}>Add panel</button>
        <div className="spacer" />
        <button className="danger" onClick={onDelete}>Delete dashboard</button>
        <button className="primary" onClick={onSave}>Save</button>
      </div>
    </section>
  );
}
