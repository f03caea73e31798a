/** Kubernetes resource quantities ("100m", "1.5", "128Mi", "1G", "2e3") as numbers of base units. */
const SUFFIX: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Sub-unit suffixes divide (exactly: 100n = 1e-7, not 1.0000000000000001e-7). */
const DIVISOR: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 };

/** The quantity's value, or undefined when it does not parse. */
export function parseQuantity(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  const divisor = DIVISOR[m[3] ?? ''];
  return divisor === undefined ? base * SUFFIX[m[3] ?? '']! : base / divisor;
}
