/**
 * Alerting: the firing and pending alerts with their scope and a link to Explore at the alert's
 * scope and time range; the rules with their state and last evaluation; silences. One tab bar,
 * each page in the URL (`view=alerts|rules|silences`).
 */
import { useMemo } from 'react';
import { alertExploreState, scopeText } from '../lib/alert-links.js';
import { fetchAlerts } from '../lib/alerts-api.js';
import type { ActiveAlert } from '../lib/alerts-api.js';
import { formatAge, formatNumber } from '../lib/format.js';
import { matchersForAlert } from '../lib/silence-form.js';
import type { ViewProps } from './App.js';
import { RulesView } from './RulesView.js';
import { SilencesView } from './SilencesView.js';
import { useAsync } from './use-async.js';

export function AlertingView(props: ViewProps): React.JSX.Element {
  const { state, update } = props;
  const tab = (view: 'alerts' | 'rules' | 'silences', title: string): React.JSX.Element => (
    <button className={state.view === view ? 'chip active' : 'chip'} onClick={() => update({ view, ruleFile: undefined })}>{title}</button>
  );
  return (
    <div className="alerting">
      <nav className="subtabs" aria-label="alerting">
        {tab('alerts', 'Alerts')}
        {tab('rules', 'Rules')}
        {tab('silences', 'Silences')}
      </nav>
      {state.view === 'alerts' && <AlertsPage {...props} />}
      {state.view === 'rules' && <RulesView {...props} />}
      {state.view === 'silences' && <SilencesView {...props} />}
    </div>
  );
}

const STATE_ORDER: Readonly<Record<string, number>> = { firing: 0, pending: 1 };
const SEVERITY_ORDER: Readonly<Record<string, number>> = { critical: 0, page: 0, error: 1, warning: 2, info: 3 };

function sortAlerts(alerts: readonly ActiveAlert[]): ActiveAlert[] {
  const sev = (a: ActiveAlert): number => SEVERITY_ORDER[a.labels.severity ?? ''] ?? 4;
  return [...alerts].sort((a, b) => (STATE_ORDER[a.state] ?? 2) - (STATE_ORDER[b.state] ?? 2) || sev(a) - sev(b) || (a.activeAtMs ?? 0) - (b.activeAtMs ?? 0));
}

function AlertsPage({ nowMs, update, state }: ViewProps): React.JSX.Element {
  const { data, error, loading } = useAsync(`alerts#${nowMs}`, fetchAlerts);
  const words = state.search.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const alerts = useMemo(() => sortAlerts((data ?? []).filter((a) => {
    const text = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ').toLowerCase() + ' ' + (a.annotations.summary ?? '').toLowerCase();
    return words.every((w) => text.includes(w));
  })), [data, state.search]);
  const firing = (data ?? []).filter((a) => a.state === 'firing').length;
  const pending = (data ?? []).length - firing;
  return (
    <section className="card" data-testid="alerts">
      <div className="table-head">
        <h2>Alerts <span className="muted">{loading && !data ? 'loading…' : ''}</span></h2>
        <span className="badge firing" data-testid="firing-count">{firing} firing</span>
        <span className="badge pending">{pending} pending</span>
        <input className="search" type="search" placeholder="Search labels and summaries: alertname=NodeNotReady prod" value={state.search} onChange={(e) => update({ search: e.target.value }, false)} aria-label="search alerts" />
      </div>
      {error && <div className="error">{error}</div>}
      {data && alerts.length === 0 && <div className="empty">{data.length === 0 ? 'No alert is firing or pending. All quiet.' : 'No alert matches the search.'}</div>}
      {alerts.length > 0 && (
        <table className="list">
          <thead>
            <tr><th>State</th><th>Alert</th><th>Scope</th><th>Summary</th><th>Active for</th><th /></tr>
          </thead>
          <tbody>
            {alerts.map((a, i) => <AlertRow key={`${JSON.stringify(a.labels)}#${i}`} alert={a} nowMs={nowMs} update={update} />)}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AlertRow({ alert: a, nowMs, update }: { alert: ActiveAlert; nowMs: number; update: ViewProps['update'] }): React.JSX.Element {
  const since = a.activeAtMs;
  const extra = Object.entries(a.labels).filter(([k]) => !['alertname', 'severity', 'cluster', 'namespace', 'workload', 'node', 'pod', 'container', 'service', 'host', 'workload_kind'].includes(k));
  return (
    <tr className={`alert-row ${a.state}`} data-testid="alert-row" data-alertname={a.labels.alertname ?? ''} data-state={a.state}>
      <td><span className={`badge ${a.state}`}>{a.state}</span></td>
      <td>
        <div className="alert-name">{a.labels.alertname ?? '(no alertname)'}</div>
        {a.labels.severity && <span className={`sev sev-${a.labels.severity}`}>{a.labels.severity}</span>}
        {extra.map(([k, v]) => <span key={k} className="label-chip">{k}={v}</span>)}
      </td>
      <td className="scope">{scopeText(a.labels) || <span className="muted">cluster-wide</span>}</td>
      <td className="summary" title={a.annotations.description ?? ''}>{a.annotations.summary ?? a.annotations.description ?? ''}{a.value !== '' && <div className="muted small" title={a.value}>value {Number.isFinite(Number(a.value)) ? formatNumber(Number(a.value)) : a.value}</div>}</td>
      <td className="nowrap" title={since === undefined ? '' : new Date(since).toISOString()}>{since === undefined ? '—' : formatAge(nowMs - since)}</td>
      <td className="actions nowrap">
        <button className="primary" data-testid="explore-link" onClick={() => update(alertExploreState(a.labels, since ?? nowMs - 3_600_000, nowMs, nowMs))}>Explore</button>
        <button onClick={() => update({ view: 'silences', search: matchersForAlert(a.labels) })}>Silence…</button>
      </td>
    </tr>
  );
}
