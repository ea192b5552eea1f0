/**
 * Exact rational arithmetic on bigints for the rate engine. Prices and quantities are finite decimals, and
 * proration divides by days, so a quantity is a fraction n/d; nothing is rounded until a line's amount is.
 */
export interface Q {
  readonly n: bigint;
  readonly d: bigint;
}

export const ZERO: Q = { n: 0n, d: 1n };
export const ONE: Q = { n: 1n, d: 1n };

const LIMIT = 10n ** 30n;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Keeps denominators from growing without bound; exact either way. */
function norm(n: bigint, d: bigint): Q {
  if (d > LIMIT) {
    const g = gcd(n, d);
    if (g > 1n) return { n: n / g, d: d / g };
  }
  return { n, d };
}

export const int = (v: bigint | number): Q => ({ n: BigInt(v), d: 1n });
export const frac = (n: bigint | number, d: bigint | number): Q => ({ n: BigInt(n), d: BigInt(d) });

export function add(a: Q, b: Q): Q {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  return norm(a.n * b.d + b.n * a.d, a.d * b.d);
}
export function sub(a: Q, b: Q): Q {
  if (a.d === b.d) return { n: a.n - b.n, d: a.d };
  return norm(a.n * b.d - b.n * a.d, a.d * b.d);
}
export function mul(a: Q, b: Q): Q {
  return norm(a.n * b.n, a.d * b.d);
}
export function div(a: Q, b: Q): Q {
  if (b.n === 0n) throw new RangeError("division by zero");
  return b.n < 0n ? norm(-a.n * b.d, a.d * -b.n) : norm(a.n * b.d, a.d * b.n);
}
export function cmp(a: Q, b: Q): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}
export const isZero = (a: Q) => a.n === 0n;
export const min = (a: Q, b: Q) => (cmp(a, b) <= 0 ? a : b);
export const max = (a: Q, b: Q) => (cmp(a, b) >= 0 ? a : b);
export const neg = (a: Q): Q => ({ n: -a.n, d: a.d });
/** max(0, min(x, hi)) */
export const clamp0 = (x: Q, hi: Q): Q => (x.n <= 0n ? ZERO : cmp(x, hi) > 0 ? hi : x);

const DECIMAL = /^-?(\d+)(\.(\d+))?$/;

/** A decimal string ("0.33524", "-12", "1.5") as an exact fraction; undefined if it is not one. */
export function parseDecimal(text: string): Q | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const digits = (m[1] ?? "") + (m[3] ?? "");
  const scale = m[3]?.length ?? 0;
  const n = BigInt(digits);
  return { n: text.startsWith("-") ? -n : n, d: 10n ** BigInt(scale) };
}

export type Rounding = "half_up" | "half_even" | "down";

/** Divides n by d (d > 0) to an integer by the rounding rule; half_up takes halves away from zero. */
export function roundDiv(n: bigint, d: bigint, rounding: Rounding): bigint {
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  const r2 = (a % d) * 2n;
  if (rounding === "half_up" ? r2 >= d : rounding === "half_even" ? r2 > d || (r2 === d && q % 2n === 1n) : false)
    q += 1n;
  return negative ? -q : q;
}

/** Dollars (a fraction) to cents, rounded once. */
export const toCents = (dollars: Q, rounding: Rounding): bigint => roundDiv(dollars.n * 100n, dollars.d, rounding);

/** A fraction as a decimal string with at most `places` decimals (half-up), trailing zeros dropped. */
export function toDecimalString(x: Q, places = 6): string {
  const scale = 10n ** BigInt(places);
  const v = roundDiv(x.n * scale, x.d, "half_up");
  const negative = v < 0n;
  const abs = negative ? -v : v;
  const whole = abs / scale;
  let fraction = (abs % scale).toString().padStart(places, "0").replace(/0+$/, "");
  if (places === 0) fraction = "";
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Cents to a fraction of dollars. */
export const centsQ = (cents: bigint): Q => ({ n: cents, d: 100n });
