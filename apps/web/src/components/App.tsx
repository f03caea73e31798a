import { useMemo } from 'react';
import { resolve } from '../lib/time-range.js';
import type { Window } from '../lib/time-range.js';
import type { AppState } from '../lib/url-state.js';
import { AlertingView } from './AlertsView.js';
import { DashboardsView } from './DashboardsView.js';
import { Explore } from './Explore.js';
import { TimePicker } from './TimePicker.js';
import { useNow, useUrlState } from './use-url-state.js';

export interface ViewProps {
  readonly state: AppState;
  readonly window: Window;
  readonly nowMs: number;
  readonly update: (change: Partial<AppState>, push?: boolean) => void;
}

const ALERTING: ReadonlySet<string> = new Set(['alerts', 'rules', 'silences']);

export function App(): React.JSX.Element {
  const { state, problems, update } = useUrlState();
  const nowMs = useNow(state.live && state.range.kind === 'relative', 10_000);
  const win = useMemo(() => resolve(state.range, nowMs), [state.range, nowMs]);
  const props: ViewProps = { state, window: win, nowMs, update };
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => { e.preventDefault(); update({ view: 'explore', path: [], search: '' }); }}>
          <span className="brand-mark">◆</span> Fathom
        </a>
        <nav className="tabs">
          <button className={state.view === 'explore' ? 'tab active' : 'tab'} onClick={() => update({ view: 'explore' })}>Explore</button>
          <button className={state.view === 'dashboards' || state.view === 'dashboard' ? 'tab active' : 'tab'} onClick={() => update({ view: 'dashboards' })}>Dashboards</button>
          <button className={ALERTING.has(state.view) ? 'tab active' : 'tab'} onClick={() => update({ view: 'alerts', search: '' })} data-testid="alerts-tab">Alerts</button>
        </nav>
        <div className="spacer" />
        <TimePicker {...props} />
      </header>
      {problems.length > 0 && <div className="notice">This link had problems and defaults were used: {problems.join('; ')}</div>}
      <main className="content">
        {state.view === 'explore' ? <Explore {...props} /> : ALERTING.has(state.view) ? <AlertingView {...props} /> : <DashboardsView {...props} />}
      </main>
    </div>
  );
}
