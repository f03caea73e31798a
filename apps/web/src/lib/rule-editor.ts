/**
 * The rule-file editor's helpers: where a refused file's error is (line and column, 1-based, as
 * the server reports them) as an offset into the text and the line to show with a caret; file
 * names; a starter file. Pure.
 */

export interface ErrorSpot {
  /** 1-based, clamped to the text. */
  readonly line: number;
  readonly column: number;
  /** Offset into the text (for the selection). */
  readonly offset: number;
  readonly lineText: string;
}

export function errorSpot(text: string, line: number, column: number): ErrorSpot {
  const lines = text.split('\n');
  const l = Math.min(Math.max(1, Math.floor(line)), lines.length);
  const lineText = lines[l - 1] ?? '';
  const c = Math.min(Math.max(1, Math.floor(column)), lineText.length + 1);
  let offset = 0;
  for (let i = 0; i < l - 1; i++) offset += lines[i]!.length + 1;
  return { line: l, column: c, offset: offset + c - 1, lineText };
}

const FILE_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*\.ya?ml$/;

/** Checks a new file's name: letters, digits, `.`, `_`, `-`, ending in `.yaml` or `.yml`. */
export function ruleFileNameError(name: string): string | undefined {
  if (FILE_RE.test(name)) return undefined;
  return `"${name}" is not a rule file name: letters, digits, ".", "_" or "-", ending in .yaml or .yml`;
}

export const STARTER_RULES = `groups:
  - name: my-team
    interval: 30s
    rules:
      - alert: HighErrorRate
        expr: sum by (namespace, workload) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (namespace, workload) (rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.workload }} in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} errors"
`;
