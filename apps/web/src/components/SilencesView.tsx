/**
 * Silences: the list (active and pending first, then expired) with their matchers, times, author
 * and comment; expire one; create one from matchers typed as Alertmanager's text (prefilled from
 * an alert's "Silence…" button through the URL's search field).
 */
import { useMemo, useState } from 'react';
import { createSilence, expireSilence, fetchSilences } from '../lib/alerts-api.js';
import type { Silence } from '../lib/alerts-api.js';
import { formatAge, formatTime } from '../lib/format.js';
import { silenceInput, silenceStatus } from '../lib/silence-form.js';
import type { SilenceForm } from '../lib/silence-form.js';
import type { ViewProps } from './App.js';
import { useAsync } from './use-async.js';

const STATUS_ORDER = { active: 0, pending: 1, expired: 2 } as const;

export function SilencesView({ state, nowMs }: ViewProps): React.JSX.Element {
  const [reload, setReload] = useState(0);
  const list = useAsync(`silences#${reload}#${nowMs}`, fetchSilences);
  const [error, setError] = useState('');
  const sorted = useMemo(() => [...(list.data ?? [])].sort((a, b) => STATUS_ORDER[silenceStatus(a, nowMs)] - STATUS_ORDER[silenceStatus(b, nowMs)] || b.startsAtMs - a.startsAtMs), [list.data, nowMs]);
  const expire = async (s: Silence): Promise<void> => {
    try {
      await expireSilence(s.id);
      setError('');
      setReload((r) => r + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="silences-page">
      <CreateSilence initialMatchers={state.search} onCreated={() => setReload((r) => r + 1)} />
      <section className="card" data-testid="silences">
        <div className="table-head"><h2>Silences <span className="muted">{list.loading && !list.data ? 'loading…' : `${sorted.filter((s) => silenceStatus(s, Date.now()) !== 'expired').length} in force`}</span></h2></div>
        {(error || list.error) && <div className="error">{error || list.error}</div>}
        {list.data && sorted.length === 0 && <div className="empty">No silences. Alerts notify as usual.</div>}
        {sorted.length > 0 && (
          <table className="list">
            <thead><tr><th>State</th><th>Matchers</th><th>Starts</th><th>Ends</th><th>Created by</th><th>Comment</th><th /></tr></thead>
            <tbody>
              {sorted.map((s) => {
                const st = silenceStatus(s, Date.now());
                return (
                  <tr key={s.id} data-testid="silence-row" data-id={s.id} data-state={st} className={st === 'expired' ? 'dim' : ''}>
                    <td><span className={`badge ${st}`}>{st}</span></td>
                    <td>{s.matchers.map((m, i) => <span key={i} className="label-chip">{m.name}{m.type}{JSON.stringify(m.value)}</span>)}</td>
                    <td className="nowrap">{formatTime(s.startsAtMs, nowMs)}</td>
                    <td className="nowrap">{formatTime(s.endsAtMs, nowMs)} <span className="muted small">({st === 'expired' ? `${formatAge(nowMs - s.endsAtMs)} ago` : formatAge(nowMs - s.endsAtMs)})</span></td>
                    <td>{s.createdBy}</td>
                    <td className="summary">{s.comment}</td>
                    <td className="actions">{st !== 'expired' && <button className="danger" onClick={() => void expire(s)}>Expire</button>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function CreateSilence({ initialMatchers, onCreated }: { initialMatchers: string; onCreated: () => void }): React.JSX.Element {
  const [form, setForm] = useState<SilenceForm>({ matchers: initialMatchers.includes('=') ? initialMatchers : '', duration: '2h', createdBy: '', comment: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof SilenceForm) => (e: React.ChangeEvent<HTMLInputElement>): void => setForm({ ...form, [k]: e.target.value });
  const submit = async (): Promise<void> => {
    let input;
    try {
      input = silenceInput(form, Date.now());
    } catch (err) {
      return setError((err as Error).message);
    }
    setBusy(true);
    try {
      await createSilence(input);
      setError('');
      setForm({ ...form, matchers: '', comment: '' });
      onCreated();
    } catch (err) {
      setError(`the server refused the silence: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="new-silence">
      <h2 className="card-title">New silence</h2>
      <form className="silence-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label className="wide">Matchers<input value={form.matchers} onChange={set('matchers')} placeholder='alertname="KubePodCrashLooping", namespace="prod"' aria-label="matchers" /></label>
        <label>For<input value={form.duration} onChange={set('duration')} placeholder="2h" aria-label="duration" /></label>
        <label>Created by<input value={form.createdBy} onChange={set('createdBy')} placeholder="you@example.com" aria-label="created by" /></label>
        <label className="wide">Comment<input value={form.comment} onChange={set('comment')} placeholder="why: maintenance, known issue, ticket…" aria-label="comment" /></label>
        <button className="primary" type="submit" disabled={busy}>Create silence</button>
      </form>
      {error && <div className="error" data-testid="silence-error">{error}</div>}
    </section>
  );
}
