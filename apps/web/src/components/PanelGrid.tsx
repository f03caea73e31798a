/** A dashboard's panels in a two-column grid, with the scope's events on the charts and listed beside. */
import { memo, useMemo } from 'react';
import type { Panel } from '@fathom/dashboards';
import { events as loadEvents } from '../lib/prom-client.js';
import { selector } from '../lib/promql.js';
import type { ViewProps } from './App.js';
import { EventsList } from './EventsList.js';
import { PanelView } from './PanelView.js';
import { useAsync } from './use-async.js';

interface Props extends Pick<ViewProps, 'window' | 'nowMs' | 'update'> {
  readonly panels: readonly Panel[];
  readonly stepMs: number;
  /** Labels that select the events of this scope (empty: all). */
  readonly eventScope: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
  /** Panels wait (placeholders) while true. */
  readonly paused?: boolean;
}

/** Memoised: sorting or searching the Explore table above does not re-render the panels. */
export const PanelGrid = memo(function PanelGrid(props: Props): React.JSX.Element {
  const { window: win, eventScope, update } = props;
  const match = Object.keys(eventScope).length > 0 ? selector('', eventScope) : undefined;
  const ev = useAsync(JSON.stringify([win.startMs, win.endMs, match]), (signal) => loadEvents(win.startMs, win.endMs, match, 500, signal), true, JSON.stringify([win.endMs - win.startMs, match]));
  const events = useMemo(() => ev.data ?? [], [ev.data]);
  const onZoom = (startMs: number, endMs: number): void => update({ range: { kind: 'absolute', startMs, endMs }, live: false });
  return (
    <div className="dash-layout">
      <div className="panel-grid">
        {props.panels.map((p, i) => (props.paused === true
          ? <section key={`${p.title}#${i}`} className={`card panel panel-${p.type}${p.width === 2 ? ' wide' : ''}`} data-testid="panel-waiting"><h3>{p.title}</h3><div className="empty">Waiting for the table…</div></section>
          : <PanelView key={`${p.title}#${i}`} panel={p} window={win} stepMs={props.stepMs} nowMs={props.nowMs} events={events} onZoom={onZoom} vars={props.vars ?? {}} />
        ))}
      </div>
      <EventsList events={events} error={ev.error} loading={ev.loading} nowMs={props.nowMs} onPick={(atMs) => onZoom(atMs - 15 * 60_000, atMs + 15 * 60_000)} />
    </div>
  );
});
