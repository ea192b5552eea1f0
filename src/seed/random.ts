/** A small deterministic pseudo-random generator (mulberry32), one stream per seeded account. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks from a table built by weighted(). */
  pickWeighted<T>(table: Weighted<T>): T {
    const x = this.next() * table.total;
    // binary search over the running totals
    let lo = 0;
    let hi = table.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (table.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo]!;
  }

  /** n decimal digits as a string. */
  digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

export interface Weighted<T> {
  items: readonly T[];
  cumulative: number[];
  total: number;
}

/** A weighted choice table from [item, weight] pairs. */
export function weighted<T>(pairs: readonly (readonly [T, number])[]): Weighted<T> {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of pairs) {
    total += w;
    cumulative.push(total);
  }
  return { items: pairs.map(([item]) => item), cumulative, total };
}

/** A choice table where earlier items are more common (a flattened Zipf curve, as names are distributed). */
export function ranked<T>(items: readonly T[], flatten = 10): Weighted<T> {
  return weighted(items.map((item, i) => [item, 1 / (i + flatten)] as const));
}

/** Mixes a run seed and an ordinal into one 32-bit stream seed (splitmix-style finaliser). */
export function streamSeed(seed: number, ordinal: number, salt = 0): number {
  let h = (seed ^ Math.imul(ordinal, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
