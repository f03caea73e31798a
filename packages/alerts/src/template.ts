/**
 * Rule templates: compile once when the rule file loads (syntax errors and unknown functions are
 * refused there, with their offset), expand at every evaluation with Prometheus' variables
 * `$labels`, `$value`, `$externalLabels`, `$externalURL` (and `.Labels`, `.Value`, …). A missing
 * label expands to "" (Prometheus' `missingkey=zero`). Pure.
 */
import { formatValueV } from './go-format.js';
import { TEMPLATE_FUNCS, TemplateExecError, truthy } from './template-funcs.js';
import type { TemplateValue } from './template-funcs.js';
import { TemplateError, parseTemplate } from './template-parse.js';
import type { BlockNode, Operand, Pipeline, TemplateNode } from './template-parse.js';

export { TemplateError, TemplateExecError };

export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalUrl: string;
  /**
   * Answers `{{ query "…" }}` synchronously: a list of `{ Labels, Value }`. The evaluator expands
   * twice — once to learn which queries a template asks (answered empty), then with the answers.
   * Absent: `query` is an error.
   */
  readonly query?: (expr: string) => readonly QuerySample[];
}

/** One sample of a template query, as Prometheus' templates see it (`.Labels`, `.Value`). */
export interface QuerySample {
  readonly Labels: Readonly<Record<string, string>>;
  readonly Value: number;
}

export interface CompiledTemplate {
  readonly source: string;
  /** True when the text has no actions (expansion returns it unchanged). */
  readonly isStatic: boolean;
  /** Expands; throws {@link TemplateExecError} on a runtime error (bad argument, …). */
  expand(data: TemplateData): string;
}

const MAX_OUTPUT_CHARS = 64 * 1024;
const MAX_RANGE_ITEMS = 10_000;

/** Compiles a template; throws {@link TemplateError} (with `pos`) on a syntax error. */
export function compileTemplate(source: string): CompiledTemplate {
  if (!source.includes('{{')) return { source, isStatic: true, expand: () => source };
  const nodes = parseTemplate(source, (name) => TEMPLATE_FUNCS.has(name) || name === 'query');
  return {
    source,
    isStatic: false,
    expand: (data) => {
      const dot: TemplateValue = { Labels: data.labels, Value: data.value, ExternalLabels: data.externalLabels, ExternalURL: data.externalUrl };
      const scope = new Scope(undefined);
      scope.declare('$', dot);
      scope.declare('$labels', data.labels);
      scope.declare('$value', data.value);
      scope.declare('$externalLabels', data.externalLabels);
      scope.declare('$externalURL', data.externalUrl);
      const out: string[] = [];
      new Exec(out, data.query).nodes(nodes, dot, scope);
      return out.join('');
    },
  };
}

class Scope {
  private readonly _vars = new Map<string, TemplateValue>();
  constructor(private readonly _parent: Scope | undefined) {}
  declare(name: string, v: TemplateValue): void {
    this._vars.set(name, v);
  }
  set(name: string, v: TemplateValue): void {
    if (this._vars.has(name)) this._vars.set(name, v);
    else if (this._parent) this._parent.set(name, v);
    else throw new TemplateExecError(`undefined variable: ${name}`);
  }
  get(name: string): TemplateValue {
    if (this._vars.has(name)) return this._vars.get(name);
    if (this._parent) return this._parent.get(name);
    throw new TemplateExecError(`undefined variable: ${name}`);
  }
}

class Exec {
  private _chars = 0;
  constructor(
    private readonly _out: string[],
    private readonly _query: TemplateData['query'],
  ) {}

  private _fn(name: string): (...args: TemplateValue[]) => TemplateValue {
    if (name === 'query') {
      const q = this._query;
      if (!q) throw new TemplateExecError('query is not available here');
      return (expr) => {
        if (typeof expr !== 'string') throw new TemplateExecError('error calling query: expected a string');
        return q(expr) as unknown as TemplateValue;
      };
    }
    const fn = TEMPLATE_FUNCS.get(name);
    if (!fn) throw new TemplateExecError(`function "${name}" not defined`);
    return fn;
  }

  private _emit(s: string): void {
    this._chars += s.length;
    if (this._chars > MAX_OUTPUT_CHARS) throw new TemplateExecError(`template output exceeds ${MAX_OUTPUT_CHARS} characters`);
    this._out.push(s);
  }

  nodes(nodes: readonly TemplateNode[], dot: TemplateValue, scope: Scope): void {
    for (const n of nodes) {
      switch (n.kind) {
        case 'text':
          this._emit(n.text);
          break;
        case 'action': {
          const v = this.pipe(n.pipe, dot, scope);
          if (n.pipe.assign === 'none') this._emit(formatValueV(v));
          break;
        }
        case 'if':
        case 'with': {
          const inner = new Scope(scope);
          const v = this.pipe(n.pipe, dot, inner);
          if (truthy(v)) this.nodes(n.body, n.kind === 'with' ? v : dot, inner);
          else this.nodes(n.otherwise, dot, inner);
          break;
        }
        case 'range':
          this._range(n, dot, scope);
          break;
      }
    }
  }

  private _range(n: BlockNode, dot: TemplateValue, scope: Scope): void {
    const inner = new Scope(scope);
    const v = this.pipe({ ...n.pipe, vars: [], assign: 'none' }, dot, inner);
    const items: [TemplateValue, TemplateValue][] = Array.isArray(v)
      ? (v as TemplateValue[]).map((x, i) => [i, x])
      : v && typeof v === 'object'
        ? Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, TemplateValue>)[k]])
        : [];
    if (items.length === 0) return this.nodes(n.otherwise, dot, inner);
    if (items.length > MAX_RANGE_ITEMS) throw new TemplateExecError(`range over more than ${MAX_RANGE_ITEMS} items`);
    const [first, second] = n.pipe.vars;
    for (const [k, x] of items) {
      const s = new Scope(inner);
      if (first && second) {
        s.declare(first, k);
        s.declare(second, x);
      } else if (first) s.declare(first, x);
      this.nodes(n.body, x, s);
    }
  }

  pipe(p: Pipeline, dot: TemplateValue, scope: Scope): TemplateValue {
    let prev: TemplateValue | undefined;
    let first = true;
    for (const cmd of p.cmds) {
      const [head, ...rest] = cmd.args;
      if (!head) throw new TemplateExecError('empty command');
      const piped = first ? [] : [prev];
      if (head.kind === 'func') {
        const fn = this._fn(head.name);
        prev = fn(...rest.map((a) => this._operand(a, dot, scope)), ...piped);
      } else {
        if (rest.length > 0 || piped.length > 0) throw new TemplateExecError("can't give argument to non-function");
        prev = this._operand(head, dot, scope);
      }
      first = false;
    }
    if (p.assign === 'declare') for (const v of p.vars) scope.declare(v, prev);
    if (p.assign === 'set') for (const v of p.vars) scope.set(v, prev);
    return prev;
  }

  private _operand(o: Operand, dot: TemplateValue, scope: Scope): TemplateValue {
    switch (o.kind) {
      case 'lit':
        return o.value;
      case 'var':
        return fields(scope.get(o.name), o.fields);
      case 'dot':
        return fields(dot, o.fields);
      case 'sub':
        return this.pipe(o.pipe, dot, scope);
      case 'func':
        return this._fn(o.name)();
    }
  }
}

function fields(v: TemplateValue, names: readonly string[]): TemplateValue {
  let cur = v;
  for (const name of names) {
    if (cur && typeof cur === 'object' && !Array.isArray(cur)) cur = (cur as Record<string, TemplateValue>)[name] ?? '';
    else throw new TemplateExecError(`can't evaluate field ${name} in ${formatValueV(cur)}`);
  }
  return cur;
}
