/**
 * PromQL regexes are Go's RE2 syntax; JavaScript's engine speaks a different dialect. This scanner
 * rewrites an RE2 pattern into an equivalent JavaScript one (always compiled with the `u` and `s`
 * flags: code points, and `.` matching newlines as Prometheus' `(?s:…)` wrapper does) and refuses
 * what RE2 refuses (look-around, back-references, huge repeat counts), so a selector either means
 * the same thing in Fathom as in Prometheus or is an error in both.
 *
 * Handled: flag groups `(?i)`, `(?i:…)`, `(?s)`, `(?m)` (also negated: `(?-i)`), `(?P<name>…)`,
 * `\Q…\E`, `\A`, `\z`, `\pL`/`\p{Greek}`, `\x{263a}`, octal `\123`, POSIX classes `[[:alpha:]]`,
 * RE2's ASCII-only `\s`, literal `{`/`}` where they do not form a repeat. Case folding inside a scoped
 * `(?i…)` is done by turning each letter into a two-case class, since Node's engine has no inline
 * modifiers. Not handled: `(?U)` (ungreedy) is refused with a message. Linear-time matching is not
 * reproduced: JavaScript backtracks.
 */

/** Thrown for a pattern RE2 would refuse, or one this translation cannot express. */
export class Re2SyntaxError extends Error {
  override readonly name = 'Re2SyntaxError';
}

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

const MAX_REPEAT = 1000;
/** Characters JavaScript's `u` mode lets (and needs) a backslash before, outside classes. */
const SYNTAX = new Set(Array.from('^$\\.*+?()[]{}|/'));
const RE2_SPACE = '\\t\\n\\f\\r ';
const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { f: '\f', t: '\t', n: '\n', r: '\r', v: '\v' };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** Compiles an RE2 pattern fully anchored, as PromQL anchors regexes; throws {@link Re2SyntaxError}. */
export function compileRe2Anchored(pattern: string): RegExp {
  const t = translateRe2(pattern);
  try {
    return new RegExp(`^(?:${t.source})$`, t.flags);
  } catch (err) {
    throw new Re2SyntaxError((err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

/** Rewrites an RE2 pattern for `new RegExp(source, flags)`. */
export function translateRe2(pattern: string): TranslatedRegex {
  const out = new Translator(pattern).run();
  return { source: out, flags: 'su' };
}

class Translator {
  private _pos = 0;
  private _groups: Flags[] = [];
  private _flags: Flags = { i: false, m: false, s: true };

  constructor(private readonly _src: string) {}

  run(): string {
    let out = '';
    while (this._pos < this._src.length) out += this._next();
    if (this._groups.length > 0) this._fail('missing closing )');
    return out;
  }

  private _fail(message: string): never {
    throw new Re2SyntaxError(message);
  }

  private _next(): string {
    const c = this._src[this._pos]!;
    this._pos++;
    switch (c) {
      case '\\':
        return this._escape();
      case '[':
        return this._class();
      case '(':
        return this._open();
      case ')':
        if (this._groups.length === 0) this._fail('unexpected )');
        this._flags = this._groups.pop()!;
        return ')';
      case '{':
        return this._brace();
      case '}':
      case ']':
        return `\\${c}`;
      case '*':
      case '+':
      case '?':
      case '|':
        return c;
      case '.':
        return this._flags.s ? '.' : '[^\\n]';
      case '^':
        return this._flags.m ? '(?<=^|\\n)' : '^';
      case '$':
        return this._flags.m ? '(?=$|\\n)' : '$';
      default:
        return this._literal(c);
    }
  }

  /** A character meant literally, escaped where JavaScript needs it, case-folded under `(?i)`. */
  private _literal(c: string): string {
    if (SYNTAX.has(c)) return `\\${c}`;
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (this._flags.i && lower !== upper && Array.from(lower).length === 1 && Array.from(upper).length === 1) return `[${lower}${upper}]`;
    return c;
  }

  /** A `{` starts a repeat only as `{n}`, `{n,}` or `{n,m}`; otherwise it is a literal brace. */
  private _brace(): string {
    const m = /^(\d+)(,(\d*))?\}/.exec(this._src.slice(this._pos));
    if (!m) return '\\{';
    const min = Number(m[1]);
    const max = m[3] ? Number(m[3]) : min;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (m[3] && max < min)) this._fail(`invalid repeat count {${m[0]}`);
    this._pos += m[0].length;
    return `{${m[0]}`;
  }

  private _open(): string {
    if (this._src[this._pos] !== '?') {
      this._groups.push({ ...this._flags });
      return '(';
    }
    const rest = this._src.slice(this._pos + 1);
    const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this._pos += 1 + named[0].length;
      this._groups.push({ ...this._flags });
      return `(?<${named[1]!}>`;
    }
    const flagGroup = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (!flagGroup || flagGroup[0] === ')' || flagGroup[0] === '-)' || flagGroup[0] === '-:') this._fail(`invalid or unsupported Perl syntax: (?${rest.slice(0, 2)}`);
    this._pos += 1 + flagGroup[0].length;
    const next = this._withFlags(flagGroup[1] ?? '', flagGroup[2] ?? '');
    if (flagGroup[3] === ')') {
      this._flags = next;
      return '';
    }
    this._groups.push({ ...this._flags });
    this._flags = next;
    return '(?:';
  }

  private _withFlags(on: string, off: string): Flags {
    if (on.includes('U') || off.includes('U')) this._fail('the ungreedy flag (?U) is not supported');
    const f = { ...this._flags };
    for (const k of on) f[k as keyof Flags] = true;
    for (const k of off) f[k as keyof Flags] = false;
    return f;
  }

  private _escape(): string {
    const c = this._src[this._pos];
    if (c === undefined) this._fail('trailing backslash at end of expression');
    this._pos++;
    switch (c) {
      case 'Q':
        return this._quoted();
      case 'A':
        return '^';
      case 'z':
        return '$';
      case 's':
        return `[${RE2_SPACE}]`;
      case 'S':
        return `[^${RE2_SPACE}]`;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 'p':
      case 'P':
        return this._unicodeClass(c);
      case 'x':
        return this._hex();
      case 'C':
        return '[^]';
      default:
        return this._escapedChar(c);
    }
  }

  private _escapedChar(c: string): string {
    if (/[0-7]/.test(c)) return this._octal(c);
    if (/[A-Za-z0-9]/.test(c)) this._fail(`invalid escape sequence: \\${c}`);
    return this._literal(c);
  }

  /** `\0`, or two or three octal digits; a single other digit would be a back-reference. */
  private _octal(first: string): string {
    const more = /^[0-7]{0,2}/.exec(this._src.slice(this._pos))![0];
    if (first !== '0' && more.length === 0) this._fail(`invalid escape sequence: \\${first} (back-references are not supported)`);
    this._pos += more.length;
    return `\\u{${parseInt(first + more, 8).toString(16)}}`;
  }

  private _hex(): string {
    const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(this._src.slice(this._pos));
    if (!m) this._fail('invalid escape sequence: \\x');
    this._pos += m[0].length;
    const code = parseInt(m[1] ?? m[2]!, 16);
    if (code > 0x10ffff) this._fail(`invalid escape sequence: \\x${m[0]}`);
    return `\\u{${code.toString(16)}}`;
  }

  private _unicodeClass(p: string): string {
    const m = /^(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(this._src.slice(this._pos));
    if (!m) this._fail(`invalid character class range: \\${p}`);
    this._pos += m[0].length;
    const negated = (p === 'P') !== (m[1] === '^');
    const name = m[2] ?? m[3]!;
    // Go takes categories and scripts bare (`\\p{Greek}`); JavaScript wants `Script=` for scripts.
    for (const form of [name, `Script=${name}`]) {
      const js = `\\${negated ? 'P' : 'p'}{${form}}`;
      if (compiles(js)) return js;
    }
    return this._fail(`invalid character class range: \\${p}{${name}}`);
  }

  private _quoted(): string {
    const end = this._src.indexOf('\\E', this._pos);
    const text = this._src.slice(this._pos, end < 0 ? undefined : end);
    this._pos = end < 0 ? this._src.length : end + 2;
    return Array.from(text).map((ch) => this._literal(ch)).join('');
  }

  /** A bracketed class, with POSIX names expanded and letters doubled under `(?i)`. */
  private _class(): string {
    let out = '[';
    if (this._src[this._pos] === '^') {
      out += '^';
      this._pos++;
    }
    let first = true;
    for (;;) {
      const c = this._src[this._pos];
      if (c === undefined) this._fail('missing closing ]');
      if (c === ']' && !first) break;
      first = false;
      out += this._classItem();
    }
    this._pos++;
    return `${out}]`;
  }

  private _classItem(): string {
    const rest = this._src.slice(this._pos);
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (posix) {
      const set = POSIX[posix[2]!];
      if (!set) this._fail(`invalid character class range: [:${posix[2]!}:]`);
      if (posix[1]) this._fail(`negated POSIX class [:^${posix[2]!}:] inside brackets is not supported`);
      this._pos += posix[0].length;
      return set;
    }
    const lo = this._classChar();
    if (this._src[this._pos] === '-' && this._src[this._pos + 1] !== ']' && this._src[this._pos + 1] !== undefined) {
      this._pos++;
      const hi = this._classChar();
      return this._range(lo, hi);
    }
    return this._caseFold(lo.js, lo.ch);
  }

  private _range(lo: ClassChar, hi: ClassChar): string {
    if (lo.ch === undefined || hi.ch === undefined) this._fail('invalid character class range');
    if (lo.ch.codePointAt(0)! > hi.ch.codePointAt(0)!) this._fail(`invalid character class range: ${lo.ch}-${hi.ch}`);
    const base = `${lo.js}-${hi.js}`;
    if (!this._flags.i) return base;
    const lower = `${lo.ch}-${hi.ch}`.toLowerCase();
    const upper = `${lo.ch}-${hi.ch}`.toUpperCase();
    const extra = [lower, upper].filter((r) => r !== `${lo.ch}-${hi.ch}` && Array.from(r).length === 3);
    return base + extra.map((r) => r.split('-').map(classEscape).join('-')).join('');
  }

  private _caseFold(js: string, ch: string | undefined): string {
    if (!this._flags.i || ch === undefined) return js;
    const other = ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
    return other !== ch && Array.from(other).length === 1 ? js + classEscape(other) : js;
  }

  /** One class member: `js` to emit, `ch` the literal character when it is one (for ranges). */
  private _classChar(): ClassChar {
    const c = String.fromCodePoint(this._src.codePointAt(this._pos)!);
    this._pos += c.length;
    if (c !== '\\') return { js: classEscape(c), ch: c };
    const e = this._src[this._pos];
    if (e === undefined) this._fail('missing closing ]');
    this._pos++;
    if (e === 's') return { js: RE2_SPACE };
    if ('dDwWS'.includes(e)) return { js: e === 'S' ? this._fail('\\S inside brackets is not supported') : `\\${e}` };
    if (e === 'p' || e === 'P') return { js: this._unicodeClass(e) };
    if (e === 'x') {
      const js = this._hex();
      return { js, ch: String.fromCodePoint(parseInt(js.slice(3, -1), 16)) };
    }
    const control = CONTROL_ESCAPES[e];
    if (control !== undefined) return { js: `\\${e}`, ch: control };
    if (/[0-7]/.test(e)) {
      const js = this._octal(e);
      return { js, ch: String.fromCodePoint(parseInt(js.slice(3, -1), 16)) };
    }
    if (/[A-Za-z0-9]/.test(e)) this._fail(`invalid escape sequence: \\${e}`);
    return { js: classEscape(e), ch: e };
  }
}

interface ClassChar {
  readonly js: string;
  readonly ch?: string;
}

/** A character as a class member in `u` mode: syntax characters escaped, the rest as is. */
function classEscape(c: string): string {
  return '\\]['.includes(c) || c === '^' || c === '-' ? `\\${c}` : c;
}

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
