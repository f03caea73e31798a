/** The events of the scope and range, newest first; clicking one zooms the charts around it. */
import { useState } from 'react';
import { eventStyle, isAlertEvent } from '../lib/event-style.js';
import { formatTime } from '../lib/format.js';
import type { KubeEvent } from '../lib/prom-client.js';

interface Props {
  readonly events: readonly KubeEvent[];
  readonly error: string | undefined;
  readonly loading: boolean;
  readonly nowMs: number;
  readonly onPick: (atMs: number) => void;
}

export function EventsList({ events, error, loading, nowMs, onPick }: Props): React.JSX.Element {
  // "Warnings" keeps alert state changes too (a resolve is Normal but belongs with its firing).
  const warnings = events.filter((e) => e.type === 'Warning' || isAlertEvent(e));
  const [onlyWarnings, setOnlyWarnings] = useState(true);
  const shown = onlyWarnings && warnings.length > 0 ? warnings : events;
  return (
    <aside className="events card" data-testid="events">
      <h3>Events {loading && events.length === 0 && <span className="muted">loading…</span>}</h3>
      {events.length > 0 && (
        <div className="event-filter">
          <button className={shown === warnings ? 'chip active' : 'chip'} onClick={() => setOnlyWarnings(true)} disabled={warnings.length === 0}>Warnings {warnings.length}</button>
          <button className={shown === events ? 'chip active' : 'chip'} onClick={() => setOnlyWarnings(false)}>All {events.length}</button>
        </div>
      )}
      {error && <div className="error">{error}</div>}
      {!loading && !error && events.length === 0 && <div className="empty">No events in this range.</div>}
      <ol>
        {shown.slice(0, 200).map((e, i) => {
          const st = eventStyle(e);
          return (
          <li key={`${e.atMs}-${i}`} className={`event ${st.kind}`} data-kind={st.kind} onClick={() => onPick(e.atMs)} title={e.message}>
            <div className="event-head">
              <span className="event-time">{formatTime(e.atMs, nowMs)}</span>
              {isAlertEvent(e) && <span className={`badge ${st.kind}`}>alert</span>}
              <span className="event-reason">{st.title}</span>
            </div>
            <div className="event-object">{e.object.kind} {e.object.namespace ? `${e.object.namespace}/` : ''}{e.object.name}</div>
            <div className="event-message">{e.message}</div>
          </li>
          );
        })}
      </ol>
    </aside>
  );
}
