/**
 * A parser for the subset of Go's text/template that Prometheus rule authors write in labels and
 * annotations: text, `{{ pipeline }}`, `{{ $x := pipeline }}`, `if`/`else if`/`else`/`end`,
 * `with`, `range` (over maps and lists), comments, `{{-`/`-}}` trimming, variables with field
 * chains (`$labels.pod`, `.Labels.pod`), string/number/bool literals, parentheses and `|`.
 * Errors carry the offset into the template text. Pure.
 */

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** Offset into the template text. */
    readonly pos: number,
  ) {
    super(message);
  }
}

export type Operand =
  | { readonly kind: 'func'; readonly name: string; readonly pos: number }
  | { readonly kind: 'var'; readonly name: string; readonly fields: readonly string[]; readonly pos: number }
  | { readonly kind: 'dot'; readonly fields: readonly string[]; readonly pos: number }
  | { readonly kind: 'lit'; readonly value: string | number | boolean | null; readonly pos: number }
  | { readonly kind: 'sub'; readonly pipe: Pipeline; readonly pos: number };

export interface Command {
  readonly args: readonly Operand[];
  readonly pos: number;
}

export interface Pipeline {
  /** `$x := …` declares, `$x = …` assigns. */
  readonly vars: readonly string[];
  readonly assign: 'declare' | 'set' | 'none';
  readonly cmds: readonly Command[];
  readonly pos: number;
}

export interface BlockNode {
  readonly kind: 'if' | 'with' | 'range';
  readonly pipe: Pipeline;
  readonly body: readonly TemplateNode[];
  readonly otherwise: readonly TemplateNode[];
}

export type TemplateNode = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly pipe: Pipeline } | BlockNode;

/** Function names a template may call; anything else is a parse error, as in Go. */
export type FunctionCheck = (name: string) => boolean;

interface Action {
  readonly text: string;
  /** Offset of the action's text in the template. */
  readonly pos: number;
}

type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: Action };

function split(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateError('unclosed action', open);
    let end = close;
    let next = close + 2;
    if (/\s-$/.test(src.slice(start, close))) {
      end = close - 1;
      while (next < src.length && /\s/.test(src[next] ?? '')) next++;
    }
    out.push({ kind: 'action', action: { text: src.slice(start, end), pos: start } });
    i = next;
  }
  return out.filter((p) => p.kind !== 'text' || p.text !== '');
}

/** The `}}` closing an action, skipping quoted strings. */
function findClose(src: string, from: number): number {
  let q: string | undefined;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = undefined;
    } else if (c === '"' || c === '`' || c === "'") q = c;
    else if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

interface Token {
  readonly t: 'ident' | 'var' | 'field' | 'str' | 'num' | 'punct';
  readonly v: string;
  readonly pos: number;
}

const TOKEN_RE = /\s*(?:(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|((?:\.[A-Za-z0-9_]+)+|\.)|("(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)')|(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(:=|[()|=,]))/y;

function tokenize(a: Action): Token[] {
  const out: Token[] = [];
  const re = new RegExp(TOKEN_RE.source, 'y');
  let i = 0;
  while (i < a.text.length) {
    if (/^\s*$/.test(a.text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(a.text);
    if (!m) throw new TemplateError(`unexpected ${JSON.stringify(a.text.slice(i).trim()[0] ?? '')} in command`, a.pos + i);
    const pos = a.pos + m.index + (m[0].length - m[0].trimStart().length);
    if (m[1] !== undefined) out.push({ t: 'var', v: m[1], pos });
    else if (m[2] !== undefined) out.push({ t: 'field', v: m[2], pos });
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3], pos });
    else if (m[4] !== undefined) out.push({ t: 'num', v: m[4], pos });
    else if (m[5] !== undefined) out.push({ t: 'ident', v: m[5], pos });
    else out.push({ t: 'punct', v: m[6] ?? '', pos });
    i = re.lastIndex;
  }
  return out;
}

function unquoteString(raw: string, pos: number): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  if (raw.startsWith("'")) {
    throw new TemplateError('character literals are not supported; use a "string"', pos);
  }
  try {
    return JSON.parse(raw) as string;
  } catch {
    throw new TemplateError(`bad string literal ${raw}`, pos);
  }
}

class PipeParser {
  private _i = 0;
  constructor(
    private readonly _toks: readonly Token[],
    private readonly _isFunc: FunctionCheck,
    private readonly _endPos: number,
  ) {}

  private _peek(): Token | undefined {
    return this._toks[this._i];
  }

  done(): boolean {
    return this._i >= this._toks.length;
  }

  pipeline(nested: boolean): Pipeline {
    const first = this._peek();
    const pos = first?.pos ?? this._endPos;
    let vars: string[] = [];
    let assign: Pipeline['assign'] = 'none';
    const second = this._toks[this._i + 1];
    const third = this._toks[this._i + 2];
    const fourth = this._toks[this._i + 3];
    if (first?.t === 'var' && !first.v.includes('.') && second?.t === 'punct' && (second.v === ':=' || second.v === '=')) {
      vars = [first.v];
      assign = second.v === ':=' ? 'declare' : 'set';
      this._i += 2;
    } else if (first?.t === 'var' && second?.v === ',' && third?.t === 'var' && fourth?.v === ':=') {
      // `range $k, $v := …`
      vars = [first.v, third.v];
      assign = 'declare';
      this._i += 4;
    }
    const cmds: Command[] = [];
    for (;;) {
      cmds.push(this._command(nested));
      const t = this._peek();
      if (t?.t === 'punct' && t.v === '|') {
        this._i++;
        continue;
      }
      break;
    }
    return { vars, assign, cmds, pos };
  }

  private _command(nested: boolean): Command {
    const args: Operand[] = [];
    const pos = this._peek()?.pos ?? this._endPos;
    for (;;) {
      const t = this._peek();
      if (!t || (t.t === 'punct' && (t.v === '|' || (nested && t.v === ')')))) break;
      args.push(this._operand(t));
    }
    if (args.length === 0) throw new TemplateError('missing value for command', pos);
    return { args, pos };
  }

  private _operand(t: Token): Operand {
    this._i++;
    switch (t.t) {
      case 'var': {
        const [name = '$', ...fields] = t.v.split('.');
        return { kind: 'var', name, fields, pos: t.pos };
      }
      case 'field':
        return { kind: 'dot', fields: t.v === '.' ? [] : t.v.slice(1).split('.'), pos: t.pos };
      case 'str':
        return { kind: 'lit', value: unquoteString(t.v, t.pos), pos: t.pos };
      case 'num':
        return { kind: 'lit', value: Number(t.v), pos: t.pos };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true', pos: t.pos };
        if (t.v === 'nil') return { kind: 'lit', value: null, pos: t.pos };
        if (!this._isFunc(t.v)) throw new TemplateError(`function "${t.v}" not defined`, t.pos);
        return { kind: 'func', name: t.v, pos: t.pos };
      case 'punct': {
        if (t.v !== '(') throw new TemplateError(`unexpected "${t.v}" in operand`, t.pos);
        const pipe = this.pipeline(true);
        const close = this._peek();
        if (close?.t !== 'punct' || close.v !== ')') throw new TemplateError('unclosed left paren', t.pos);
        this._i++;
        return { kind: 'sub', pipe, pos: t.pos };
      }
      default:
        throw new TemplateError(`unexpected ${t.v}`, t.pos);
    }
  }
}

function parsePipeline(a: Action, text: string, offset: number, isFunc: FunctionCheck): Pipeline {
  const toks = tokenize({ text, pos: a.pos + offset });
  if (toks.length === 0) throw new TemplateError('missing value for command', a.pos);
  const p = new PipeParser(toks, isFunc, a.pos + a.text.length);
  const pipe = p.pipeline(false);
  if (!p.done()) throw new TemplateError('unexpected token in command', a.pos + offset);
  return pipe;
}

interface Frame {
  readonly kind: 'if' | 'with' | 'range';
  readonly pipe: Pipeline;
  readonly body: TemplateNode[];
  otherwise: TemplateNode[] | undefined;
  readonly pos: number;
  /** `else if` chains close together with one `end`. */
  readonly chained: boolean;
}

/** Parses a template; throws {@link TemplateError} with the offset of the problem. */
export function parseTemplate(src: string, isFunc: FunctionCheck): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: Frame[] = [];
  const target = (): TemplateNode[] => {
    const f = stack[stack.length - 1];
    return f ? (f.otherwise ?? f.body) : root;
  };
  for (const piece of split(src)) {
    if (piece.kind === 'text') {
      target().push({ kind: 'text', text: piece.text });
      continue;
    }
    const a = piece.action;
    const trimmed = a.text.trim();
    const lead = a.text.length - a.text.trimStart().length;
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) throw new TemplateError('unclosed comment', a.pos);
      continue;
    }
    const kw = /^(if|with|range|else|end|define|template|block|break|continue)\b/.exec(trimmed)?.[1];
    if (kw === 'if' || kw === 'with' || kw === 'range') {
      const pipe = parsePipeline(a, a.text.slice(lead + kw.length), lead + kw.length, isFunc);
      stack.push({ kind: kw, pipe, body: [], otherwise: undefined, pos: a.pos + lead, chained: false });
    } else if (kw === 'else') {
      const f = stack[stack.length - 1];
      if (!f || f.otherwise) throw new TemplateError('unexpected {{else}}', a.pos);
      f.otherwise = [];
      const rest = trimmed.slice(4).trim();
      if (rest.startsWith('if')) {
        const at = a.text.indexOf('if', lead + 4);
        const pipe = parsePipeline(a, a.text.slice(at + 2), at + 2, isFunc);
        stack.push({ kind: 'if', pipe, body: [], otherwise: undefined, pos: a.pos, chained: true });
      } else if (rest !== '') throw new TemplateError(`unexpected "${rest}" after else`, a.pos);
    } else if (kw === 'end') {
      if (trimmed !== 'end') throw new TemplateError('unexpected token after end', a.pos);
      for (;;) {
        const f = stack.pop();
        if (!f) throw new TemplateError('unexpected {{end}}', a.pos);
        target().push({ kind: f.kind, pipe: f.pipe, body: f.body, otherwise: f.otherwise ?? [] });
        if (!f.chained) break;
      }
    } else if (kw !== undefined) {
      throw new TemplateError(`{{${kw}}} is not supported in rule templates`, a.pos);
    } else {
      target().push({ kind: 'action', pipe: parsePipeline(a, a.text, 0, isFunc) });
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw new TemplateError(`unexpected EOF: {{${open.kind}}} has no {{end}}`, open.pos);
  return root;
}
