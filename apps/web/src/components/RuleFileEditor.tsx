/**
 * Edits one rule file (YAML) and saves it with `PUT /api/fathom/rules/<file>`. A refused file
 * shows the server's error at its line and column: the line is marked in the gutter, quoted
 * under the editor with a caret, and the cursor is put there. The rules already loaded keep
 * running until a file is accepted.
 */
import { useEffect, useRef, useState } from 'react';
import { fetchRuleFiles, saveRuleFile } from '../lib/alerts-api.js';
import { ApiError } from '../lib/prom-client.js';
import { errorSpot, STARTER_RULES } from '../lib/rule-editor.js';
import type { ErrorSpot } from '../lib/rule-editor.js';
import type { ViewProps } from './App.js';
import { useAsync } from './use-async.js';

interface Refusal {
  readonly message: string;
  /** Every problem the server listed (the first is the headline), placed in the text. */
  readonly spots: readonly (ErrorSpot & { message: string })[];
}

const MAX_SNIPPETS = 5;

export function RuleFileEditor({ update, file }: ViewProps & { file: string }): React.JSX.Element {
  const files = useAsync(`file#${file}`, fetchRuleFiles);
  const existing = files.data?.find((f) => f.name === file);
  const [text, setText] = useState<string | undefined>(undefined);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const [saved, setSaved] = useState('');
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (text === undefined && files.data) setText(existing?.source ?? STARTER_RULES);
  }, [files.data]);
  const value = text ?? '';
  const lineCount = value.split('\n').length;
  const badLines = new Set((refusal?.spots ?? []).map((sp) => sp.line));

  const save = async (): Promise<void> => {
    setSaving(true);
    setSaved('');
    try {
      await saveRuleFile(file, value);
      setRefusal(undefined);
      setSaved(`Saved at ${new Date().toISOString().slice(11, 19)} UTC: the server accepted ${file} and evaluates its rules.`);
    } catch (err) {
      const e = err as Error;
      const problems = err instanceof ApiError ? (err.problems.length > 0 ? err.problems : err.line !== undefined ? [{ line: err.line, column: err.column ?? 1, message: e.message }] : []) : [];
      const spots = problems.map((p) => ({ ...errorSpot(value, p.line, p.column), message: p.message }));
      const spot = spots[0];
      setRefusal({ message: e.message, spots });
      if (spot && area.current) {
        area.current.focus();
        area.current.setSelectionRange(spot.offset, spot.offset + 1);
        // Scroll the error line into view (20 px lines).
        area.current.scrollTop = Math.max(0, (spot.line - 5) * LINE_PX);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card rule-editor" data-testid="rule-editor">
      <div className="table-head">
        <button onClick={() => update({ ruleFile: undefined })}>‹ Rules</button>
        <h2>{file} <span className="muted">{existing ? '' : files.data ? '(new file)' : 'loading…'}</span></h2>
        <div className="spacer" />
        <button className="primary" onClick={() => void save()} disabled={saving || text === undefined} data-testid="save-rules">{saving ? 'Saving…' : 'Save'}</button>
      </div>
      {files.error && <div className="error">{files.error}</div>}
      {refusal && (
        <div className="error refusal" data-testid="rule-refusal">
          <div><strong>Refused{refusal.spots[0] ? ` at line ${refusal.spots[0].line}, column ${refusal.spots[0].column}` : ''}:</strong> {refusal.spots[0]?.message ?? refusal.message}{refusal.spots.length > 1 ? ` (and ${refusal.spots.length - 1} more)` : ''}</div>
          {refusal.spots.slice(0, MAX_SNIPPETS).map((sp, i) => (
            <pre key={i} className="refusal-snippet" data-testid="refusal-snippet">{`${String(sp.line).padStart(4)} | ${sp.lineText}\n${' '.repeat(4)} | ${' '.repeat(sp.column - 1)}^ ${sp.message}`}</pre>
          ))}
          {refusal.spots.length > MAX_SNIPPETS && <div className="small">…and {refusal.spots.length - MAX_SNIPPETS} more problems.</div>}
          <div className="small">Nothing was changed: the rules loaded before keep running until the file is accepted.</div>
        </div>
      )}
      {saved && <div className="ok-note" data-testid="rule-saved">{saved}</div>}
      <div className="code-editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} className={badLines.has(i + 1) ? 'ln bad' : 'ln'}>{i + 1}</div>
          ))}
        </div>
        <textarea
          ref={area}
          value={value}
          spellCheck={false}
          aria-label="rule file"
          onChange={(e) => { setText(e.target.value); setSaved(''); }}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); void save(); }
          }}
        />
      </div>
      <p className="muted small">Ctrl+S saves. Format: Prometheus rule files (groups, rules with alert/record, expr, for, keep_firing_for, labels, annotations) and Fathom's kinds — see docs/formats/alert-rules.md.</p>
    </section>
  );
}

const LINE_PX = 20;
