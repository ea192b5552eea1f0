/** The rate engine: prices a period's usage under a tariff's versions in force, line by line, to the cent. */
import { isoDate, parseIsoDate } from "./calendar.js";
import {
  add,
  centsQ,
  clamp0,
  cmp,
  div,
  frac,
  isZero,
  min,
  mul,
  neg,
  type Q,
  type Rounding,
  roundDiv,
  sub,
  toCents,
  toDecimalString,
  ZERO,
} from "./exact.js";
import type { Percentage, Tariff, TierList, Version } from "./model.js";
import { type Segment, segmentsOf } from "./segments.js";
import { type Facts, type Line, type LineKind, type Period, type Quote, RateError, type Usage } from "./types.js";
import { type SegmentUsage, usageBySegment } from "./usage.js";

/** The longest period one quote prices (two years: catch-up bills after long estimates). */
const MAX_DAYS = 731;

interface Acc {
  vi: number;
  kind: LineKind;
  description: string;
  unit: string;
  price: Q;
  priceText: string;
  quantity: Q;
  rules: string[];
}

class Lines {
  private map = new Map<string, Acc>();
  add(
    vi: number,
    kind: LineKind,
    description: string,
    unit: string,
    price: Q,
    priceText: string,
    quantity: Q,
    rule: string,
  ) {
    const key = `${vi}\u0000${kind}\u0000${description}\u0000${priceText}`;
    const a = this.map.get(key);
    if (a) {
      a.quantity = add(a.quantity, quantity);
      if (!a.rules.includes(rule)) a.rules.push(rule);
    } else this.map.set(key, { vi, kind, description, unit, price, priceText, quantity, rules: [rule] });
  }
  forVersion(vi: number, kind: LineKind): Acc[] {
    return [...this.map.values()].filter((a) => a.vi === vi && a.kind === kind);
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const periodLabel = (p: { name: string; label?: string | undefined }) => p.label ?? p.name.replaceAll("_", " ");
const dollars = (cents: bigint) => {
  const neg = cents < 0n;
  const a = neg ? -cents : cents;
  return `${neg ? "-" : ""}$${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
};

function checkPeriod(period: Period): { start: number; end: number } {
  const start = parseIsoDate(String(period.from));
  if (start === undefined) throw new RateError("from", `"${period.from}" must be a date YYYY-MM-DD`);
  const end = parseIsoDate(String(period.to));
  if (end === undefined) throw new RateError("to", `"${period.to}" must be a date YYYY-MM-DD`);
  if (end < start) throw new RateError("to", `the last service day ${period.to} is before the first ${period.from}`);
  if (end - start + 1 > MAX_DAYS)
    throw new RateError("to", `a period of ${end - start + 1} days is longer than ${MAX_DAYS}`);
  return { start, end };
}

function checkFacts(tariff: Tariff, segs: Segment[], facts: Facts): void {
  if (!segs.some((s) => s.version.baseline)) return;
  const known = tariff.territories;
  if (!facts.territory)
    throw new RateError(
      "territory",
      `tariff ${tariff.code} has a baseline allowance by territory: give one of ${known.join(", ")}`,
    );
  for (const s of segs)
    if (s.version.baseline && !s.version.baseline.perDay.has(facts.territory))
      throw new RateError(
        "territory",
        `tariff ${tariff.code} (version ${s.version.effectiveFrom}) has no baseline for territory ${facts.territory}: give one of ${[...s.version.baseline.perDay.keys()].join(", ")}`,
      );
}

const AVERAGE_MONTH: Q = { n: 365n, d: 12n };
/** The part of a month a part of the period is, by the version's month basis. */
function monthsOf(v: Version, s: Segment): Q {
  if (v.monthBasis === "average_month") return div(frac(s.days, 1), AVERAGE_MONTH);
  return frac(s.days, v.monthBasis === "30_days" ? 30 : s.dim);
}

/** Baseline allowance (kWh) for one part of the period. */
function baselineOf(v: Version, s: Segment, facts: Facts): Q | undefined {
  const b = v.baseline;
  if (!b) return undefined;
  const perDay = b.perDay.get(facts.territory ?? "")?.[s.si] ?? ZERO;
  let q = mul(perDay, frac(s.days, 1));
  if (facts.medicalBaseline) {
    if (b.medicalPerDay) q = add(q, mul(b.medicalPerDay, frac(s.days, 1)));
    if (b.medicalPerMonth) q = add(q, mul(b.medicalPerMonth, monthsOf(v, s)));
  }
  return q;
}

/** Cumulative tier limits (kWh) for one part of the period. */
function limitsOf(
  v: Version,
  list: TierList,
  s: Segment,
  baseline: Q | undefined,
  demandKw: Q | undefined,
  code: string,
): (Q | undefined)[] {
  const limits = list.tiers.map((t) => {
    if (!t.upTo) return undefined;
    switch (list.unit) {
      case "baseline_percent":
        return mul(baseline ?? ZERO, { n: t.upTo.n, d: t.upTo.d * 100n });
      case "kwh_per_day":
        return mul(t.upTo, frac(s.days, 1));
      case "kwh_per_month":
        return mul(t.upTo, monthsOf(v, s));
      case "kwh_per_kw":
        if (!demandKw) throw new RateError("demand_kw", `tariff ${code} sets tiers by demand: give the demand (kW)`);
        return mul(t.upTo, demandKw);
      default:
        return t.upTo;
    }
  });
  return v.wholeKwhLimits ? limits.map((l) => (l ? frac(roundDiv(l.n, l.d, "half_up"), 1) : l)) : limits;
}

/** Splits a quantity over cumulative limits: how much falls in each tier. */
function splitTiers(total: Q, limits: (Q | undefined)[]): Q[] {
  let below = ZERO;
  return limits.map((limit) => {
    const room = limit === undefined ? undefined : sub(limit, below);
    const rest = sub(total, below);
    const q = room === undefined ? (rest.n > 0n ? rest : ZERO) : clamp0(rest, room.n > 0n ? room : ZERO);
    if (limit !== undefined && cmp(limit, below) > 0) below = limit;
    return q;
  });
}

function priceSegment(tariff: Tariff, s: Segment, u: SegmentUsage, facts: Facts, lines: Lines, suffix: string): void {
  const v = s.version;
  const at = `${tariff.code}@${v.effectiveFrom}`;
  const season = v.seasons[s.si]!;
  const seasonWord = v.seasons.length > 1 && season.label ? season.label : "";

  if (v.customerCharge) {
    const c = v.customerCharge;
    const q = c.per === "day" ? frac(s.days, 1) : monthsOf(v, s);
    lines.add(s.vi, "customer_charge", c.label + suffix, c.per, c.price, c.priceText, q, `${at} customer_charge`);
  }

  const baseline = baselineOf(v, s, facts);
  const lists = v.energy[s.si]!;
  const limits = limitsOf(v, lists[0]!, s, baseline, u.demandAll, tariff.code);
  const byTier = splitTiers(u.total, limits);
  const single = lists.length === 1;
  for (const [p, list] of lists.entries()) {
    const share = single ? undefined : isZero(u.total) ? ZERO : div(u.byPeriod[p] ?? ZERO, u.total);
    const words = [seasonWord, v.schedule ? periodLabel(v.periods[p]!) : ""].filter(Boolean).join(" ");
    for (const [k, tier] of list.tiers.entries()) {
      const q = share === undefined ? byTier[k]! : mul(byTier[k]!, share);
      if (k > 0 && isZero(q)) continue;
      const tierWord =
        list.tiers.length > 1 ? `, ${tier.label ?? `tier ${k + 1}`}` : tier.label ? `, ${tier.label}` : "";
      const description = capital(`${words ? `${words} energy` : "energy"}${tierWord}`) + suffix;
      lines.add(s.vi, "energy", description, "kWh", tier.price, tier.priceText, q, `${at} ${list.rule}[${k}]`);
    }
  }

  if (v.baselineCredit && baseline) {
    const c = v.baselineCredit;
    lines.add(
      s.vi,
      "baseline_credit",
      c.label + suffix,
      "kWh",
      c.price,
      c.priceText,
      min(u.total, baseline),
      `${at} baseline_credit`,
    );
  }

  const d = v.demand[s.si]!;
  const demandLines = (list: TierList, kw: Q | undefined, word: string) => {
    if (!kw) throw new RateError("demand_kw", `tariff ${tariff.code} has demand charges: give the demand (kW)`);
    const kwTiers = splitTiers(
      kw,
      list.tiers.map((t) => t.upTo),
    );
    const months = monthsOf(v, s);
    for (const [k, tier] of list.tiers.entries()) {
      if (k > 0 && isZero(kwTiers[k]!)) continue;
      const tierWord = list.tiers.length > 1 ? `, tier ${k + 1}` : "";
      const description = capital(`${[seasonWord, word].filter(Boolean).join(" ")} demand${tierWord}`) + suffix;
      lines.add(
        s.vi,
        "demand",
        description,
        "kW",
        tier.price,
        tier.priceText,
        mul(kwTiers[k]!, months),
        `${at} ${list.rule}[${k}]`,
      );
    }
  };
  if (d.all) demandLines(d.all, u.demandAll, "maximum");
  for (const [p, list] of d.byPeriod) demandLines(list, u.demandByPeriod?.[p], periodLabel(v.demandPeriods[p]!));

  for (const x of v.surcharges)
    lines.add(s.vi, "surcharge", x.label + suffix, "kWh", x.price, x.priceText, u.total, `${at} surcharges.${x.name}`);
}

function toLine(a: Acc, rounding: Rounding): Line {
  return {
    description: a.description,
    quantity: toDecimalString(a.quantity),
    unit: a.unit,
    price: a.priceText,
    amountCents: toCents(mul(a.quantity, a.price), rounding),
    kind: a.kind,
    rule: a.rules.join(", "),
  };
}

function percentLine(
  p: Percentage,
  base: bigint,
  sign: 1n | -1n,
  rounding: Rounding,
  at: string,
  field: string,
  suffix: string,
): Line {
  const rate = sign < 0n ? neg(p.rate) : p.rate;
  return {
    description: `${p.label} (${toDecimalString(mul(p.rate, frac(100, 1)))}% of ${dollars(base)})${suffix}`,
    quantity: toDecimalString(centsQ(base), 2),
    unit: "USD",
    price: toDecimalString(rate, 8),
    amountCents: toCents(mul(centsQ(base), rate), rounding),
    kind: sign < 0n ? "discount" : "tax",
    rule: `${at} ${field}.${p.name}`,
  };
}

const sumOf = (lines: Line[], kinds: ReadonlySet<LineKind>) =>
  lines.reduce((t, l) => (kinds.has(l.kind) ? t + l.amountCents : t), 0n);

const inProgram = (facts: Facts, p: Percentage["program"]) =>
  p === "care"
    ? !!facts.care
    : p === "fera"
      ? !!facts.fera
      : p === "medical_baseline"
        ? !!facts.medicalBaseline
        : false;

/** Prices the usage of a period (first and last service day inclusive) under the versions in force. */
export function quote(tariff: Tariff, facts: Facts, period: Period, usage: Usage): Quote {
  const { start, end } = checkPeriod(period);
  const segs = segmentsOf(tariff, start, end);
  checkFacts(tariff, segs, facts);
  const used = usageBySegment(tariff, segs, start, end, usage);
  const versionsUsed = [...new Set(segs.map((s) => s.vi))];
  const multi = versionsUsed.length > 1;
  const acc = new Lines();
  for (const [i, s] of segs.entries()) {
    const suffix = multi ? ` (rates from ${s.version.effectiveFrom})` : "";
    priceSegment(tariff, s, used.segments[i]!, facts, acc, suffix);
  }

  const out: Line[] = [];
  for (const vi of versionsUsed) {
    const v = tariff.versions[vi]!;
    const at = `${tariff.code}@${v.effectiveFrom}`;
    const suffix = multi ? ` (rates from ${v.effectiveFrom})` : "";
    const r = v.rounding;
    const lines: Line[] = [];
    for (const kind of ["customer_charge", "energy", "baseline_credit", "demand"] as const) {
      // Tiers and periods the usage never reached say nothing; a bill with no usage still shows its energy line.
      const all = acc.forVersion(vi, kind);
      const used = kind === "customer_charge" ? all : all.filter((a) => !isZero(a.quantity));
      for (const a of used.length === 0 && kind === "energy" ? all.slice(0, 1) : used) lines.push(toLine(a, r));
    }

    if (v.minimumCharge) {
      const m = v.minimumCharge;
      let q = ZERO;
      for (const s of segs) if (s.vi === vi) q = add(q, m.per === "day" ? frac(s.days, 1) : monthsOf(v, s));
      const minimum = toCents(mul(q, m.price), r);
      const charges = sumOf(lines, m.appliesTo);
      if (charges < minimum)
        lines.push({
          description: `${m.label}: ${toDecimalString(q)} ${m.per}s at $${m.priceText} is ${dollars(minimum)}, more than the charges of ${dollars(charges)}${suffix}`,
          quantity: "1",
          unit: "bill",
          price: toDecimalString(centsQ(minimum - charges), 2),
          amountCents: minimum - charges,
          kind: "minimum_charge",
          rule: `${at} minimum_charge`,
        });
    }
    for (const a of acc.forVersion(vi, "surcharge")) lines.push(toLine(a, r));
    for (const d of v.discounts) {
      if (!inProgram(facts, d.program)) continue;
      const base = sumOf(lines, d.appliesTo);
      if (base !== 0n) lines.push(percentLine(d, base, -1n, r, at, "discounts", suffix));
    }
    if (vi === versionsUsed[versionsUsed.length - 1]) {
      const month = Number(String(period.to).slice(5, 7));
      for (const c of v.credits)
        if (c.months.has(month))
          lines.push({
            description: c.label + suffix,
            quantity: "1",
            unit: "bill",
            price: c.amountText,
            amountCents: toCents(c.amount, r),
            kind: "credit",
            rule: `${at} credits.${c.name}`,
          });
    }
    for (const t of v.taxes) {
      const base = sumOf(lines, t.appliesTo);
      if (base !== 0n) lines.push(percentLine(t, base, 1n, r, at, "taxes", suffix));
    }
    out.push(...lines);
  }
  return {
    tariffCode: tariff.code,
    versions: versionsUsed.map((vi) => tariff.versions[vi]!.effectiveFrom),
    period: { from: isoDate(start), to: isoDate(end) },
    days: end - start + 1,
    lines: out,
    totalCents: out.reduce((t, l) => t + l.amountCents, 0n),
    kwh: toDecimalString(used.totalKwh),
  };
}
