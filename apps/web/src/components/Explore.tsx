/** Explore: grouping, breadcrumbs, the entity table of the next level, and the scope's dashboard with its events. */
import { useMemo, useState } from 'react';
import { breadcrumbs, BUILTIN_GROUPINGS, customGroupingId, groupingFor, levelLabel, PROCESS_LEVEL, scopeKind, scopeLabels } from '../lib/grouping.js';
import { rateWindowMs, stepFor } from '../lib/time-range.js';
import { scopeDashboard } from '../lib/scope-dashboards.js';
import type { ViewProps } from './App.js';
import { EntityTable } from './EntityTable.js';
import { PanelGrid } from './PanelGrid.js';

const LEVEL_TITLES: Readonly<Record<string, string>> = { cluster: 'Clusters', namespace: 'Namespaces', workload: 'Workloads', pod: 'Pods', container: 'Containers', node: 'Nodes', host: 'Hosts', [PROCESS_LEVEL]: 'Processes' };

export function levelTitle(label: string): string {
  return LEVEL_TITLES[label] ?? label;
}

export function Explore(props: ViewProps): React.JSX.Element {
  const { state, window: win, update } = props;
  const grouping = useMemo(() => groupingFor(state.grouping), [state.grouping]);
  const by = levelLabel(grouping, state.path);
  const scope = useMemo(() => scopeLabels(grouping, state.path), [grouping, state.path]);
  const kind = scopeKind(grouping, state.path);
  const stepMs = stepFor(win);
  const rateMs = rateWindowMs(stepMs);
  const panels = useMemo(() => scopeDashboard({ kind, scope, child: by, rateMs }), [kind, scope, by, rateMs]);
  const crumbs = breadcrumbs(grouping, state.path);
  const eventScope = useMemo(() => Object.fromEntries(Object.entries(scope).filter(([k]) => k !== PROCESS_LEVEL)), [scope]);
  // The table's queries go first: the dashboard's panels wait until the table of this scope has
  // answered once (at 10,000 pods the server would otherwise serve the charts before the table).
  const scopeKey = JSON.stringify([state.grouping, state.path]);
  const [tableDoneFor, setTableDoneFor] = useState('');
  const panelsReady = by === undefined || tableDoneFor === scopeKey;
  return (
    <div className="explore">
      <div className="explore-bar">
        <GroupingPicker current={state.grouping} onChange={(g) => update({ grouping: g, path: [] })} />
        <nav className="crumbs" aria-label="scope" data-testid="breadcrumbs">
          <button className="crumb" onClick={() => update({ path: [] })}>All</button>
          {crumbs.map((c) => (
            <span key={c.path.join('/')}>
              <span className="sep">›</span>
              <button className="crumb" title={c.label} onClick={() => update({ path: c.path })}>
                <span className="crumb-label">{c.label === PROCESS_LEVEL ? 'process' : c.label}</span> {c.value}
              </button>
            </span>
          ))}
        </nav>
      </div>
      {by !== undefined && (
        <section className="card">
          <EntityTable {...props} by={by} scope={scope} title={levelTitle(by)} rateMs={rateMs} onOpen={(name) => update({ path: [...state.path, name], search: '' })} onComplete={() => setTableDoneFor(scopeKey)} />
        </section>
      )}
      <h2 className="section-title">
        {crumbs.length === 0 ? 'Everything' : `${crumbs[crumbs.length - 1]!.label === PROCESS_LEVEL ? 'process' : crumbs[crumbs.length - 1]!.label} ${crumbs[crumbs.length - 1]!.value}`}
        <span className="muted"> · {kind === 'overview' ? 'cluster' : kind} dashboard</span>
      </h2>
      <PanelGrid window={win} nowMs={props.nowMs} update={update} panels={panels} stepMs={stepMs} eventScope={eventScope} paused={!panelsReady} />
    </div>
  );
}

function GroupingPicker({ current, onChange }: { current: string; onChange: (id: string) => void }): React.JSX.Element {
  const [custom, setCustom] = useState(current.startsWith('custom:') ? current.slice(7) : '');
  const [error, setError] = useState('');
  const apply = (): void => {
    try {
      const id = customGroupingId(custom.split(/[,\s›>]+/).filter((s) => s !== ''));
      groupingFor(id);
      setError('');
      onChange(id);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="grouping" data-testid="grouping">
      {BUILTIN_GROUPINGS.map((g) => (
        <button key={g.id} className={current === g.id ? 'chip active' : 'chip'} title={g.levels.join(' › ')} onClick={() => onChange(g.id)}>{g.title}</button>
      ))}
      <form className="custom-grouping" onSubmit={(e) => { e.preventDefault(); apply(); }}>
        <input value={custom} placeholder="custom: label_track, namespace, pod" onChange={(e) => setCustom(e.target.value)} aria-label="custom grouping" />
      </form>
      {error && <span className="error">{error}</span>}
    </div>
  );
}
