/** User dashboards: the list (create, import JSON) and one dashboard (variables, panels, edit, save, export). */
import { useState } from 'react';
import { parseDashboard, slug } from '@fathom/dashboards';
import type { Dashboard, DashboardSummary } from '@fathom/dashboards';
import { getJson, sendJson } from '../lib/prom-client.js';
import type { ViewProps } from './App.js';
import { DashboardPage } from './DashboardPage.js';
import { useAsync } from './use-async.js';

export const STARTER: Omit<Dashboard, 'id' | 'title'> = {
  version: 1,
  variables: [{ name: 'namespace', label: 'namespace', match: 'kube_pod_info' }],
  panels: [
    { title: 'CPU by workload', type: 'timeseries', unit: 'cores', queries: [{ expr: 'sum by (workload) (rate(container_cpu_usage_seconds_total{namespace="$namespace"}[$__rate_interval]))', legend: '{{workload}}' }] },
    { title: 'Memory by workload', type: 'timeseries', unit: 'bytes', queries: [{ expr: 'sum by (workload) (container_memory_working_set_bytes{namespace="$namespace"})', legend: '{{workload}}' }] },
    { title: 'Pods', type: 'stat', unit: 'count', queries: [{ expr: 'count(kube_pod_info{namespace="$namespace"})' }] },
    { title: 'Top pods by CPU', type: 'bar', unit: 'cores', limit: 10, queries: [{ expr: 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace"}[5m]))', legend: '{{pod}}' }] },
  ],
};

export function DashboardsView(props: ViewProps): React.JSX.Element {
  if (props.state.view === 'dashboard' && props.state.dashboard !== undefined) return <DashboardPage {...props} id={props.state.dashboard} />;
  return <DashboardList {...props} />;
}

function DashboardList({ update }: ViewProps): React.JSX.Element {
  const [reload, setReload] = useState(0);
  const list = useAsync(`list#${reload}`, (signal) => getJson<DashboardSummary[]>('/api/fathom/dashboards', signal));
  const [title, setTitle] = useState('');
  const [importText, setImportText] = useState('');
  const [error, setError] = useState('');
  const create = async (): Promise<void> => {
    const t = title.trim();
    if (t === '') return setError('give the dashboard a title');
    try {
      const d: Dashboard = { ...STARTER, id: slug(t), title: t };
      await sendJson('PUT', `/api/fathom/dashboards/${d.id}`, d);
      update({ view: 'dashboard', dashboard: d.id, vars: {} });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const doImport = async (): Promise<void> => {
    try {
      const d = parseDashboard(JSON.parse(importText) as unknown);
      await sendJson('PUT', `/api/fathom/dashboards/${d.id}`, d);
      setImportText('');
      setError('');
      setReload((n) => n + 1);
    } catch (err) {
      setError(`import: ${(err as Error).message}`);
    }
  };
  return (
    <div className="dash-list">
      <section className="card">
        <h2>Dashboards</h2>
        <p className="muted">Every scope in Explore has its built-in dashboard. Here are the dashboards you build yourself, saved on the server.</p>
        {list.error && <div className="error">{list.error}</div>}
        {list.data && list.data.length === 0 && <div className="empty">No dashboards yet: create one below, or import a JSON export.</div>}
        <ul className="dash-items" data-testid="dashboard-list">
          {(list.data ?? []).map((d) => (
            <li key={d.id}>
              <a href={`?view=dashboard&dash=${d.id}`} onClick={(e) => { e.preventDefault(); update({ view: 'dashboard', dashboard: d.id, vars: {} }); }}>{d.title}</a>
              <span className="muted"> · {d.panels} panels</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card form-row">
        <h3>New dashboard</h3>
        <form onSubmit={(e) => { e.preventDefault(); void create(); }}>
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Title, e.g. Team checkout" aria-label="new dashboard title" />
          <button className="primary" type="submit">Create</button>
        </form>
        <h3>Import JSON</h3>
        <textarea value={importText} onChange={(e) => setImportText(e.target.value)} rows={4} placeholder='{"version": 1, "id": "...", "title": "...", "variables": [], "panels": [...]}' aria-label="import JSON" />
        <button onClick={() => void doImport()} disabled={importText.trim() === ''}>Import</button>
        {error && <div className="error">{error}</div>}
      </section>
    </div>
  );
}
