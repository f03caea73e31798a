/** Relative presets with live mode, an absolute range editor, zoom out; all held in the URL. */
import { useState } from 'react';
import { formatTime } from '../lib/format.js';
import { PRESETS_MS, shortDuration, zoomOut } from '../lib/time-range.js';
import type { ViewProps } from './App.js';

function toInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

function fromInput(text: string): number {
  return Date.parse(`${text}:00Z`);
}

export function TimePicker({ state, window: win, nowMs, update }: ViewProps): React.JSX.Element {
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState('');
  const r = state.range;
  const open = (): void => {
    setFrom(toInput(win.startMs));
    setTo(toInput(win.endMs));
    setError('');
    setEditing(true);
  };
  const apply = (): void => {
    const startMs = fromInput(from);
    const endMs = fromInput(to);
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return setError('enter both times');
    if (startMs >= endMs) return setError('"from" must be before "to"');
    update({ range: { kind: 'absolute', startMs, endMs }, live: false });
    setEditing(false);
  };
  return (
    <div className="timepicker" data-testid="timepicker">
      {PRESETS_MS.map((ms) => (
        <button key={ms} className={r.kind === 'relative' && r.durationMs === ms ? 'chip active' : 'chip'} onClick={() => update({ range: { kind: 'relative', durationMs: ms }, live: true })}>
          {shortDuration(ms)}
        </button>
      ))}
      <button className="chip" title="Zoom out" onClick={() => update({ range: zoomOut(win, nowMs), live: false })}>−</button>
      <button className={editing ? 'chip active range' : 'chip range'} onClick={() => (editing ? setEditing(false) : open())} data-testid="range-label">
        {formatTime(win.startMs, nowMs)} – {r.kind === 'relative' ? 'now' : formatTime(win.endMs, nowMs)} UTC
      </button>
      <button
        className={state.live && r.kind === 'relative' ? 'chip live on' : 'chip live'}
        title="Live mode: follow now and refresh every 10 s"
        onClick={() => (r.kind === 'absolute' ? update({ range: { kind: 'relative', durationMs: win.endMs - win.startMs }, live: true }) : update({ live: !state.live }))}
      >
        ● Live
      </button>
      {editing && (
        <div className="popover">
          <label>From (UTC) <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label>To (UTC) <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          {error && <div className="error">{error}</div>}
          <button className="primary" onClick={apply}>Apply</button>
        </div>
      )}
    </div>
  );
}
