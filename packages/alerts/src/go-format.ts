/**
 * Go's number formatting as Prometheus templates print it: `%v`/`%g` of a float64, `%.4g`, and a
 * `printf` covering the verbs rule authors write (%s %v %d %f %e %g %q %x %t %%, with flags,
 * width and precision). Pure.
 */

/** Mantissa digits and decimal exponent of `v` (|v| > 0, finite), shortest or to `prec` digits. */
function digitsOf(v: number, prec?: number): { digits: string; exp: number } {
  const a = Math.abs(v);
  const split = (e: string): { digits: string; exp: number } => {
    const [mant = '0', exp = '0'] = e.split('e');
    return { digits: mant.replace('.', ''), exp: Number(exp) };
  };
  if (prec === undefined) return split(a.toExponential());
  const p = Math.max(prec, 1);
  // JavaScript rounds exact ties up; Go rounds them to even (12345 → %.4g = 1.234e+04).
  const long = split(a.toExponential(Math.min(p + 24, 100)));
  const rest = long.digits.slice(p);
  if (/^50*$/.test(rest)) {
    const head = long.digits.slice(0, p);
    if (Number(head[head.length - 1]) % 2 === 0) return { digits: head, exp: long.exp };
  }
  return split(a.toExponential(p - 1));
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function expText(exp: number): string {
  const a = Math.abs(exp);
  return `e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

/** Go's %g with precision `prec` (undefined = shortest, Go's %v for floats). */
export function formatG(v: number, prec?: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const d = digitsOf(v, prec === 0 ? 1 : prec);
  const exp = d.exp;
  let digits = d.digits;
  digits = digits.replace(/0+$/, '') || '0';
  // strconv: exponent form below 1e-4 or from the precision on (6 for the shortest form).
  const eprec = prec === undefined ? 6 : prec === 0 ? 1 : prec;
  if (exp < -4 || exp >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}${expText(exp)}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits.padEnd(exp + 1, '0')}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's %e with precision (default 6). */
export function formatE(v: number, prec = 6): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const s = v.toExponential(prec);
  const [mant = '', exp = '0'] = s.split('e');
  return `${mant}${expText(Number(exp))}`;
}

/** Go's %f with precision (default 6). */
export function formatF(v: number, prec = 6): string {
  return special(v) ?? v.toFixed(prec);
}

/** `strconv.FormatFloat(v, 'e', -1, 64)`: the API's alert `value` ("1e+00"). */
export function formatShortestE(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (v === 0) return '0e+00';
  const { digits, exp } = digitsOf(v);
  const d = digits.replace(/0+$/, '') || '0';
  return `${v < 0 ? '-' : ''}${d.length > 1 ? `${d[0]}.${d.slice(1)}` : d}${expText(exp)}`;
}

/** How Go prints a value with %v (numbers as float64, maps as `map[k:v]`). */
export function formatValueV(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValueV).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${formatValueV(o[k])}`)
      .join(' ')}]`;
  }
  return typeof v === 'bigint' ? v.toString() : '<?>';
}

const VERB_RE = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;

/** Go's fmt.Sprintf for the common verbs; a bad verb/argument prints Go's `%!v(...)` marker. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let i = 0;
  const out = format.replace(VERB_RE, (_m, flags: string, width: string | undefined, precText: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[i++];
    const prec = precText === undefined ? undefined : precText === '' ? 0 : Number(precText);
    const body = formatVerb(verb, arg, prec, flags);
    return pad(body, width === undefined ? 0 : Number(width), flags);
  });
  if (i < args.length) return `${out}%!(EXTRA ${args.slice(i).map((a) => `${goType(a)}=${formatValueV(a)}`).join(', ')})`;
  return out;
}

function goType(v: unknown): string {
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'map[string]string';
}

function formatVerb(verb: string, arg: unknown, prec: number | undefined, flags: string): string {
  const plus = flags.includes('+');
  const signed = (s: string, v: number): string => (plus && v >= 0 ? `+${s}` : s);
  if (typeof arg === 'number') {
    switch (verb) {
      case 'v':
      case 'g':
        return signed(formatG(arg, prec), arg);
      case 'f':
      case 'F':
        return signed(formatF(arg, prec), arg);
      case 'e':
        return signed(formatE(arg, prec), arg);
      case 'd':
        return Number.isInteger(arg) ? signed(String(arg), arg) : `%!d(float64=${formatG(arg)})`;
      case 's':
        return `%!s(float64=${formatG(arg)})`;
      case 'x':
        return Number.isInteger(arg) ? arg.toString(16) : `%!x(float64=${formatG(arg)})`;
      default:
        return `%!${verb}(float64=${formatG(arg)})`;
    }
  }
  if (typeof arg === 'string') {
    if (verb === 's' || verb === 'v') return prec === undefined ? arg : arg.slice(0, prec);
    if (verb === 'q') return JSON.stringify(arg);
    if (verb === 'x') return Buffer.from(arg).toString('hex');
    return `%!${verb}(string=${arg})`;
  }
  if (typeof arg === 'boolean') return verb === 't' || verb === 'v' ? String(arg) : `%!${verb}(bool=${String(arg)})`;
  return verb === 'v' || verb === 's' ? formatValueV(arg) : `%!${verb}(${goType(arg)}=${formatValueV(arg)})`;
}

function pad(s: string, width: number, flags: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width, ' ');
  if (flags.includes('0') && /^[+-]?[\d.]/.test(s)) {
    const sign = /^[+-]/.test(s) ? (s[0] ?? '') : '';
    return sign + s.slice(sign ? 1 : 0).padStart(width - sign.length, '0');
  }
  return s.padStart(width, ' ');
}
