/**
 * "Why is this bill high?": a bill set against the account's previous issued bill and the issued bill that covered
 * the same period a year before. Days, usage, the average price, rate changes (from the lines' rule ids,
 * `CODE@effective_from path`), prices that moved, usage over the first tier, seasons, estimated reads, charges and
 * one-time credits present on one bill and not the other, and any balance carried in; each said in a sentence a
 * customer service representative can read out, with the figures behind it. Reads only.
 */
import { Decimal } from "decimal.js";
import { and, eq, gte, lte, ne } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { parseIsoDate } from "../../core/rates/calendar.js";
import type { Tariff } from "../../core/rates/index.js";
import { segmentsOf } from "../../core/rates/segments.js";
import type { Ctx } from "../../platform/context.js";
import { loadTariff } from "../rates/index.js";
import { type BillDetail, type BillLine, requireBill } from "./bill-views.js";
import { bills } from "./schema.js";

type BillRow = typeof bills.$inferSelect;

/** One bill's facts as the explanation compares them. */
export interface BillFacts {
  bill_id: number;
  bill_date: string;
  status: string;
  period: { from: string; to: string };
  days: number;
  kwh: string;
  /** kWh a day, two decimals. */
  kwh_per_day: string;
  /** This bill's charges (the sum of its lines). */
  total_cents: bigint;
  /** The charges but one-time credits, per kWh, in cents with one decimal; null for a bill without usage. */
  cents_per_kwh: string | null;
  estimated: boolean;
  tariffs: string[];
  /** The rate versions the bill was priced on (`CODE@effective_from`) and the days of the period on each. */
  versions: { id: string; tariff_code: string; effective_from: string; days: number | null }[];
  /** Days of the period in each season of the tariff. */
  seasons: { name: string; label: string; days: number }[];
  /** The charges by kind and label: energy, customer_charge, demand, discount, credit, tax, ... */
  charges: { kind: string; label: string; cents: bigint }[];
  /** One-time credits (the climate credit), in cents (negative). */
  one_time_cents: bigint;
  /** kWh priced above the first tier (over the baseline allowance on a baseline tariff). */
  over_first_tier_kwh: string;
  first_tier_is_baseline: boolean;
  prior_balance_cents: bigint;
  amount_due_cents: bigint;
}

/** How the change in charges from one bill to another splits, in cents (the four add up to the change). */
export interface ChangeParts {
  total_cents: bigint;
  /** More or fewer days at the other bill's daily use and price. */
  days_cents: bigint;
  /** More or less use a day, at the other bill's price. */
  usage_cents: bigint;
  /** A higher or lower average price per kWh (rate changes, tiers, fixed charges). */
  price_cents: bigint;
  /** One-time credits present on one bill and not the other. */
  one_time_cents: bigint;
}

export interface Comparison {
  bill: BillFacts;
  change: ChangeParts;
}

export interface Reason {
  /** days, usage, estimated, rate_change, price_change, average_price, tiers, season, charge_added, charge_gone,
   * credit_added, credit_gone, tariff, last_year, last_year_rates, no_last_year, balance */
  code: string;
  sentence: string;
  figures: Record<string, string | number | boolean | null>;
}

export interface BillExplanation {
  bill_id: number;
  account_id: number;
  headline: string;
  reasons: Reason[];
  bill: BillFacts;
  comparisons: { previous: Comparison | null; last_year: Comparison | null };
}

// ---- words and numbers as read out ----

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "2026-06-01" -> "June 1, 2026". */
export function dateWords(iso: string): string {
  const d = Temporal.PlainDate.from(iso);
  return `${MONTHS[d.month - 1]} ${d.day}, ${d.year}`;
}

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Cents as dollars: 18240n -> "$182.40", -3618n -> "-$36.18". */
export const usd = formatCents;

/** kWh as said: whole kWh from 10 up ("812", "1,204"), one decimal below ("6.5"). */
export function kwhWords(kwh: Decimal.Value): string {
  const d = new Decimal(kwh);
  const places = d.abs().gte(10) ? 0 : 1;
  const [whole, frac] = d.toFixed(places, Decimal.ROUND_HALF_UP).split(".");
  const trimmed = frac && Number(frac) !== 0 ? `.${frac}` : "";
  return `${whole!.replace(/\d+/, group)}${trimmed}`;
}

/** The change from `before` to `now` as a whole percentage with its sign ("+47%", "-12%"); null from zero. */
export function percentChange(now: Decimal.Value, before: Decimal.Value): string | null {
  const b = new Decimal(before);
  if (b.isZero()) return null;
  const p = new Decimal(now).minus(b).div(b).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return `${p.gt(0) ? "+" : ""}${p.toFixed(0)}%`;
}

const cents1 = (c: string) => `${new Decimal(c).toFixed(1)}¢`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A tariff price in dollars as written: "0.32561" -> "$0.32561". */
const priceWords = (p: string) => (p.startsWith("-") ? `-$${p.slice(1)}` : `$${p}`);
const PER: Record<string, string> = { kWh: "a kWh", day: "a day", month: "a month", kW: "a kW" };

// ---- the facts of a bill ----

const daysOf = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days + 1;

interface RuleId {
  code: string;
  effectiveFrom: string;
  path: string;
}

/** The rule ids of a line: "E-1@2026-06-01 energy.summer.all[1], E-1@2026-06-01 ..." (none for a line without them). */
function rulesOf(line: BillLine): RuleId[] {
  const out: RuleId[] = [];
  for (const part of (line.rule ?? "").split(", ")) {
    const m = /^(\S+)@(\d{4}-\d{2}-\d{2}) (.+)$/.exec(part.trim());
    if (m) out.push({ code: m[1]!, effectiveFrom: m[2]!, path: m[3]! });
  }
  return out;
}

/** The energy tier a rule path prices (energy.<season>[k], energy.<season>.<period>[k]), or null for other rules. */
function tierOf(path: string): number | null {
  const m = /^energy\.[^.[]+(?:\.[^.[]+)?\[(\d+)\]$/.exec(path);
  return m ? Number(m[1]) : null;
}

/** A line's label without the engine's notes: "(rates from 2026-06-01)", "(35% of $120.00)". */
const labelOf = (line: BillLine) =>
  line.description
    .replace(/ \(rates from [^)]*\)/g, "")
    .replace(/ \([\d.]+% of [^)]*\)/g, "")
    .trim();

const KIND_LABEL: Record<string, string> = {
  energy: "Energy",
  demand: "Demand",
  minimum_charge: "Minimum charge",
};

const epoch = (iso: string) => parseIsoDate(iso)!;

function factsOf(row: BillRow, tariffs: Map<string, Tariff | null>): BillFacts {
  const detail = (row.detail ?? { agreements: [] }) as BillDetail;
  const agreements = detail.agreements ?? [];
  const lines = agreements.flatMap((a) => a.lines ?? []);
  const days = daysOf(row.periodFrom, row.periodTo);
  const kwh = new Decimal(row.kwh);
  const oneTime = lines.filter((l) => l.kind === "credit").reduce((s, l) => s + BigInt(l.amount_cents), 0n);
  const adjusted = row.totalCents - oneTime;

  // Versions and seasons by the rate engine's own split of each agreement's period (seasons: the agreement that used
  // the most).
  const versionDays = new Map<string, number>();
  const seasonDays = new Map<string, { label: string; days: number }>();
  const baselineFirst = new Set<boolean>();
  const primary = [...agreements].sort((a, b) => new Decimal(b.kwh).cmp(a.kwh))[0];
  for (const a of agreements) {
    const tariff = tariffs.get(a.tariff_code);
    if (!tariff) continue;
    try {
      const own = new Map<string, number>();
      for (const s of segmentsOf(tariff, epoch(a.period.from), epoch(a.period.to))) {
        const id = `${tariff.code}@${s.version.effectiveFrom}`;
        own.set(id, (own.get(id) ?? 0) + s.days);
        baselineFirst.add(s.version.energy.some((lists) => lists.some((l) => l.unit === "baseline_percent")));
        if (a !== primary) continue;
        const season = s.version.seasons[s.si]!;
        const was = seasonDays.get(season.name)?.days ?? 0;
        seasonDays.set(season.name, { label: season.label ?? season.name, days: was + s.days });
      }
      for (const [id, d] of own) versionDays.set(id, Math.max(versionDays.get(id) ?? 0, d));
    } catch {
      // A period the tariff has no version for: the versions come from the lines alone.
    }
  }

  const versions = new Map<string, BillFacts["versions"][number]>();
  const addVersion = (code: string, effectiveFrom: string) => {
    const id = `${code}@${effectiveFrom}`;
    if (!versions.has(id))
      versions.set(id, { id, tariff_code: code, effective_from: effectiveFrom, days: versionDays.get(id) ?? null });
  };
  for (const l of lines) for (const r of rulesOf(l)) addVersion(r.code, r.effectiveFrom);
  for (const a of agreements) for (const v of a.versions ?? []) addVersion(a.tariff_code, v);

  const charges = new Map<string, BillFacts["charges"][number]>();
  let over = new Decimal(0);
  for (const l of lines) {
    const label = KIND_LABEL[l.kind] ?? labelOf(l);
    const key = `${l.kind}|${label}`;
    const c = charges.get(key) ?? { kind: l.kind, label, cents: 0n };
    c.cents += BigInt(l.amount_cents);
    charges.set(key, c);
    if (l.kind === "energy") {
      const tier = Math.max(-1, ...rulesOf(l).map((r) => tierOf(r.path) ?? -1));
      if (tier > 0) over = over.plus(l.quantity);
    }
  }

  return {
    bill_id: row.id,
    bill_date: row.billDate,
    status: row.status,
    period: { from: row.periodFrom, to: row.periodTo },
    days,
    kwh: row.kwh,
    kwh_per_day: kwh.div(days).toFixed(2),
    total_cents: row.totalCents,
    cents_per_kwh: kwh.gt(0) ? new Decimal(adjusted.toString()).div(kwh).toFixed(1) : null,
    estimated: row.estimated,
    tariffs: [...new Set(agreements.map((a) => a.tariff_code))],
    versions: [...versions.values()].sort((a, b) => a.id.localeCompare(b.id)),
    seasons: [...seasonDays].map(([name, s]) => ({ name, label: s.label, days: s.days })),
    charges: [...charges.values()],
    one_time_cents: oneTime,
    over_first_tier_kwh: over.toString(),
    first_tier_is_baseline: baselineFirst.has(true),
    prior_balance_cents: row.priorBalanceCents,
    amount_due_cents: row.amountDueCents,
  };
}

/** The latest price of each rule (by code and path, without the version) of a bill's energy and fixed charges. */
function pricesOf(row: BillRow): Map<string, { price: string; unit: string; label: string; effectiveFrom: string }> {
  const out = new Map<string, { price: string; unit: string; label: string; effectiveFrom: string }>();
  const detail = (row.detail ?? { agreements: [] }) as BillDetail;
  for (const l of (detail.agreements ?? []).flatMap((a) => a.lines ?? [])) {
    if (l.kind !== "energy" && l.kind !== "customer_charge" && l.kind !== "demand") continue;
    for (const r of rulesOf(l)) {
      const key = `${r.code} ${r.path}`;
      const was = out.get(key);
      if (!was || was.effectiveFrom < r.effectiveFrom)
        out.set(key, { price: l.price, unit: l.unit, label: labelOf(l), effectiveFrom: r.effectiveFrom });
    }
  }
  return out;
}

// ---- what changed ----

/** A JSON text with keys sorted, to compare documents. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/**
 * Whether a tariff's version changed any price from the one before it: everything but its date, labels and one-time
 * credits (a credit is said as a credit). Without the tariff's document it counts as changed.
 */
function pricesChangedAt(tariff: Tariff | null | undefined, effectiveFrom: string): boolean {
  const docs = ((tariff?.document.versions ?? []) as Record<string, unknown>[]).filter(
    (d) => typeof d.effective_from === "string",
  );
  const i = docs.findIndex((d) => d.effective_from === effectiveFrom);
  if (i <= 0) return i !== 0;
  const priced = (d: Record<string, unknown>) => {
    const { effective_from: _date, credits: _credits, ...rest } = d;
    return stable(rest).replace(/"label":"[^"]*",?/g, "");
  };
  return priced(docs[i]!) !== priced(docs[i - 1]!);
}

const dec = (c: bigint) => new Decimal(c.toString());
const roundCents = (d: Decimal) => BigInt(d.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));

/** Splits the change in charges from `before` to `now` into days, use a day, price per kWh and one-time credits. */
export function changeOf(now: BillFacts, before: BillFacts): ChangeParts {
  const total = now.total_cents - before.total_cents;
  const oneTime = now.one_time_cents - before.one_time_cents;
  const rest = total - oneTime;
  const kwhBefore = new Decimal(before.kwh);
  const kwhNow = new Decimal(now.kwh);
  if (kwhBefore.lte(0) || kwhNow.lte(0)) {
    return { total_cents: total, days_cents: 0n, usage_cents: rest, price_cents: 0n, one_time_cents: oneTime };
  }
  const price = dec(before.total_cents - before.one_time_cents).div(kwhBefore);
  const rateBefore = kwhBefore.div(before.days);
  const rateNow = kwhNow.div(now.days);
  const days = roundCents(rateBefore.times(now.days - before.days).times(price));
  const usage = roundCents(rateNow.minus(rateBefore).times(now.days).times(price));
  return {
    total_cents: total,
    days_cents: days,
    usage_cents: usage,
    price_cents: rest - days - usage,
    one_time_cents: oneTime,
  };
}

/** "mostly because ..." for a rise in charges: the parts that raised it, largest first. */
function because(now: BillFacts, before: BillFacts, change: ChangeParts, other: string): string {
  const parts: [bigint, string][] = [
    [
      change.usage_cents,
      `you used more electricity each day (${kwhWords(now.kwh_per_day)} kWh a day against ${kwhWords(before.kwh_per_day)})`,
    ],
    [change.days_cents, `it covers more days (${now.days} against ${before.days})`],
    [
      change.price_cents,
      now.cents_per_kwh && before.cents_per_kwh
        ? `the average price per kWh was higher (${cents1(now.cents_per_kwh)} against ${cents1(before.cents_per_kwh)})`
        : "the charges other than usage were higher",
    ],
    [
      change.one_time_cents,
      before.one_time_cents < now.one_time_cents
        ? `${other} had a one-time credit this one does not`
        : "of one-time charges",
    ],
  ];
  const rising = parts.filter(([c]) => c > 0n).sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : 0));
  if (rising.length === 0) return "";
  const [first, second] = rising;
  if (first![0] * 2n >= change.total_cents || !second) return `, mostly because ${first![1]}`;
  return `, because ${first![1]} and ${second[1]}`;
}

function headlineOf(bill: BillFacts, previous: Comparison | null, lastYear: Comparison | null): string {
  const against = previous ?? lastYear;
  if (!against) {
    return `This is the first bill we can compare on this account: ${usd(bill.total_cents)} for ${kwhWords(bill.kwh)} kWh over ${plural(bill.days, "day")}.`;
  }
  const other = previous ? "the last one" : "the bill for the same period last year";
  const { change } = against;
  const then = `(${usd(against.bill.total_cents)})`;
  if (change.total_cents === 0n) return `This bill is ${usd(bill.total_cents)}, the same as ${other}.`;
  if (change.total_cents < 0n) {
    return `This bill is ${usd(bill.total_cents)}, ${usd(-change.total_cents)} less than ${other} ${then}.`;
  }
  return `This bill is ${usd(bill.total_cents)}, ${usd(change.total_cents)} more than ${other} ${then}${because(bill, against.bill, change, previous ? "the last bill" : "last year's bill")}.`;
}

function reasonsAgainstPrevious(
  bill: BillFacts,
  prev: BillFacts,
  billRow: BillRow,
  prevRow: BillRow,
  tariffs: Map<string, Tariff | null>,
): Reason[] {
  const out: Reason[] = [];
  out.push({
    code: "days",
    sentence:
      bill.days === prev.days
        ? `This bill covers ${plural(bill.days, "day")}, the same as the last one.`
        : `This bill covers ${plural(bill.days, "day")}; the last one covered ${prev.days}.`,
    figures: { days: bill.days, previous_days: prev.days },
  });

  const change = percentChange(bill.kwh_per_day, prev.kwh_per_day);
  const perDay = new Decimal(bill.kwh_per_day);
  const before = new Decimal(prev.kwh_per_day);
  const same = change === null ? perDay.eq(before) : Math.abs(Number.parseInt(change, 10)) < 3;
  out.push({
    code: "usage",
    sentence: same
      ? `You used ${kwhWords(bill.kwh)} kWh, ${kwhWords(perDay)} a day, about the same as on the last bill (${kwhWords(before)} a day).`
      : `You used ${kwhWords(bill.kwh)} kWh, ${kwhWords(perDay)} a day, ${perDay.gt(before) ? "up" : "down"} from ${kwhWords(before)} a day on the last bill${change ? ` (${change})` : ""}.`,
    figures: {
      kwh: bill.kwh,
      kwh_per_day: bill.kwh_per_day,
      previous_kwh: prev.kwh,
      previous_kwh_per_day: prev.kwh_per_day,
      change_percent: change,
    },
  });

  if (bill.estimated || prev.estimated) {
    out.push({
      code: "estimated",
      sentence:
        bill.estimated && prev.estimated
          ? "This bill and the last one were both estimated: we could not read the meter. The next bill from an actual read will correct them."
          : bill.estimated
            ? "This bill was estimated: we could not read the meter. The next bill from an actual read will correct it."
            : "The last bill was estimated; this one is from an actual read, so it also counts any usage the estimate missed.",
      figures: { estimated: bill.estimated, previous_estimated: prev.estimated },
    });
  }

  // Rate versions that took effect since the last bill's, or that this bill has for more of its days.
  for (const v of bill.versions) {
    const inPrev = prev.versions.find((p) => p.id === v.id);
    const prevLatest = prev.versions
      .filter((p) => p.tariff_code === v.tariff_code)
      .reduce<string | null>((m, p) => (m === null || p.effective_from > m ? p.effective_from : m), null);
    // A version that changed no price (only a credit, say) is no reason: the credit is said on its own.
    if (!pricesChangedAt(tariffs.get(v.tariff_code), v.effective_from)) continue;
    const name = `${v.tariff_code} version of ${v.effective_from}`;
    const on = dateWords(v.effective_from);
    const figures = { tariff_code: v.tariff_code, effective_from: v.effective_from, days: v.days };
    if (!inPrev && prevLatest !== null && v.effective_from > prevLatest) {
      const within = v.effective_from > bill.period.from;
      out.push({
        code: "rate_change",
        sentence: within
          ? `Prices changed on ${on} (${name}): this bill's days from ${on} are on the new prices${v.days ? ` (${plural(v.days, "day")})` : ""}.`
          : `Prices changed on ${on} (${name}), before this bill's period: all of it is on the new prices.`,
        figures,
      });
    } else if (
      inPrev &&
      v.effective_from > prev.period.from &&
      v.days !== null &&
      inPrev.days !== null &&
      v.days > inPrev.days
    ) {
      out.push({
        code: "rate_change",
        sentence: `Prices changed on ${on} (${name}): the last bill had the new prices for its last ${plural(inPrev.days, "day")}, this bill for ${v.days === bill.days ? `all ${v.days} days` : plural(v.days, "day")}.`,
        figures: { ...figures, previous_days: inPrev.days },
      });
    }
  }

  // Prices of the same rule that moved between the two bills (energy tiers, the daily charge).
  const now = pricesOf(billRow);
  const then = pricesOf(prevRow);
  const moved: Reason[] = [];
  for (const [key, p] of now) {
    const q = then.get(key);
    if (!q || q.effectiveFrom === p.effectiveFrom || new Decimal(q.price).eq(p.price)) continue;
    const pct = percentChange(p.price, q.price);
    moved.push({
      code: "price_change",
      sentence: `${p.label}: ${priceWords(q.price)} ${PER[p.unit] ?? `per ${p.unit}`} on the last bill, ${priceWords(p.price)} on this one${pct ? ` (${pct})` : ""}.`,
      figures: { rule: key, price: p.price, previous_price: q.price, unit: p.unit, change_percent: pct },
    });
  }
  out.push(...moved.slice(0, 4));

  if (bill.cents_per_kwh && prev.cents_per_kwh) {
    const pct = percentChange(bill.cents_per_kwh, prev.cents_per_kwh);
    const avgNow = new Decimal(bill.cents_per_kwh);
    const avgThen = new Decimal(prev.cents_per_kwh);
    // Within 2% is the same price said differently (rounding, a day more of the fixed charge).
    const same = avgNow.minus(avgThen).abs().lte(avgThen.abs().times("0.02"));
    out.push({
      code: "average_price",
      sentence: same
        ? `On average you paid ${cents1(bill.cents_per_kwh)} a kWh, all charges included, about the same as on the last bill (${cents1(prev.cents_per_kwh)}).`
        : `On average you paid ${cents1(bill.cents_per_kwh)} a kWh, all charges included, ${avgNow.gt(avgThen) ? "up" : "down"} from ${cents1(prev.cents_per_kwh)} on the last bill${pct ? ` (${pct})` : ""}.`,
      figures: { cents_per_kwh: bill.cents_per_kwh, previous_cents_per_kwh: prev.cents_per_kwh, change_percent: pct },
    });
  }

  const over = new Decimal(bill.over_first_tier_kwh);
  const overBefore = new Decimal(prev.over_first_tier_kwh);
  if (over.gt(0) || overBefore.gt(0)) {
    const what =
      bill.first_tier_is_baseline || prev.first_tier_is_baseline
        ? "over your baseline allowance"
        : "above the first price tier";
    out.push({
      code: "tiers",
      sentence: over.gt(0)
        ? `${kwhWords(over)} kWh of this bill were ${what}, at the higher price; on the last bill ${overBefore.gt(0) ? `${kwhWords(overBefore)} kWh were` : "none were"}.`
        : `None of this bill's usage was ${what}; on the last bill ${kwhWords(overBefore)} kWh were, at the higher price.`,
      figures: {
        over_first_tier_kwh: bill.over_first_tier_kwh,
        previous_over_first_tier_kwh: prev.over_first_tier_kwh,
      },
    });
  }

  const seasonText = (f: BillFacts) =>
    f.seasons
      .filter((s) => s.days > 0)
      .map((s) => `${plural(s.days, `${s.label} day`)}`)
      .join(" and ");
  const seasonKey = (f: BillFacts) =>
    f.seasons
      .filter((s) => s.days > 0)
      .map((s) => s.name)
      .sort()
      .join(",");
  if (bill.seasons.length > 0 && prev.seasons.length > 0 && seasonKey(bill) !== seasonKey(prev)) {
    out.push({
      code: "season",
      sentence: `This bill has ${seasonText(bill)}; the last one had ${seasonText(prev)}. Prices and baseline allowances can differ by season.`,
      figures: Object.fromEntries([
        ...bill.seasons.map((s) => [`${s.name}_days`, s.days]),
        ...prev.seasons.map((s) => [`previous_${s.name}_days`, s.days]),
      ]),
    });
  }

  // Charges and credits on one bill and not the other.
  const keyOf = (c: BillFacts["charges"][number]) => `${c.kind}|${c.label}`;
  const prevCharges = new Map(prev.charges.map((c) => [keyOf(c), c]));
  const billCharges = new Map(bill.charges.map((c) => [keyOf(c), c]));
  for (const c of bill.charges) {
    if (prevCharges.has(keyOf(c)) || c.cents === 0n) continue;
    out.push(
      c.kind === "credit"
        ? {
            code: "credit_added",
            sentence: `This bill includes a one-time ${c.label} of ${usd(c.cents)}; the last one did not.`,
            figures: { label: c.label, cents: Number(c.cents) },
          }
        : {
            code: "charge_added",
            sentence: `This bill has ${c.kind === "discount" ? "a discount" : "a charge"} the last one did not: ${c.label}, ${usd(c.cents)}.`,
            figures: { kind: c.kind, label: c.label, cents: Number(c.cents) },
          },
    );
  }
  for (const c of prev.charges) {
    if (billCharges.has(keyOf(c)) || c.cents === 0n) continue;
    out.push(
      c.kind === "credit"
        ? {
            code: "credit_gone",
            sentence: `The last bill had a one-time ${c.label} of ${usd(c.cents)}; this one does not.`,
            figures: { label: c.label, cents: Number(c.cents) },
          }
        : {
            code: "charge_gone",
            sentence: `The last bill had ${c.kind === "discount" ? "a discount" : "a charge"} this one does not: ${c.label}, ${usd(c.cents)}.`,
            figures: { kind: c.kind, label: c.label, cents: Number(c.cents) },
          },
    );
  }

  const tariffNow = bill.tariffs.join(", ");
  const tariffThen = prev.tariffs.join(", ");
  if (tariffNow && tariffThen && tariffNow !== tariffThen) {
    out.push({
      code: "tariff",
      sentence: `This bill is on the ${tariffNow} rate; the last one was on ${tariffThen}.`,
      figures: { tariffs: tariffNow, previous_tariffs: tariffThen },
    });
  }
  return out;
}

function reasonsAgainstLastYear(bill: BillFacts, ly: BillFacts | null, tariffs: Map<string, Tariff | null>): Reason[] {
  if (!ly) {
    return [
      {
        code: "no_last_year",
        sentence: "There is no bill for the same period last year to compare with.",
        figures: {},
      },
    ];
  }
  const out: Reason[] = [];
  const change = percentChange(bill.kwh_per_day, ly.kwh_per_day);
  const same = change !== null && Math.abs(Number.parseInt(change, 10)) < 3;
  out.push({
    code: "last_year",
    sentence: `In the same period last year you used ${kwhWords(ly.kwh_per_day)} kWh a day (${kwhWords(ly.kwh)} kWh over ${plural(ly.days, "day")}) and the bill was ${usd(ly.total_cents)}; ${same ? `this time about the same, ${kwhWords(bill.kwh_per_day)} a day` : `this time ${kwhWords(bill.kwh_per_day)} a day${change ? ` (${change})` : ""}`}.`,
    figures: {
      bill_id: ly.bill_id,
      from: ly.period.from,
      to: ly.period.to,
      kwh: ly.kwh,
      kwh_per_day: ly.kwh_per_day,
      total_cents: Number(ly.total_cents),
      change_percent: change,
    },
  });
  for (const code of bill.tariffs) {
    const tariff = tariffs.get(code);
    if (!tariff) continue;
    const since = tariff.versions.filter(
      (v) =>
        v.effectiveFrom > ly.period.to && v.effectiveFrom <= bill.period.to && pricesChangedAt(tariff, v.effectiveFrom),
    );
    if (since.length === 0) continue;
    const latest = since.at(-1)!.effectiveFrom;
    out.push({
      code: "last_year_rates",
      sentence: `Since the same period last year ${code} prices changed ${since.length === 1 ? "once" : `${since.length} times`}, most recently on ${dateWords(latest)}.`,
      figures: { tariff_code: code, changes: since.length, latest },
    });
  }
  return out;
}

/** Whole days two periods share. */
function overlap(a: { from: string; to: string }, b: { from: string; to: string }): number {
  const from = [a.from, b.from].sort()[1]!;
  const to = [a.to, b.to].sort()[0]!;
  return from > to ? 0 : daysOf(from, to);
}

/**
 * Explains a bill (issued, held or cancelled) against the account's previous issued bill and the issued bill that
 * covered the same period a year earlier: a headline, the reasons one sentence each, and the two comparisons.
 */
export async function explainBill(ctx: Ctx, billId: number): Promise<BillExplanation> {
  const row = await requireBill(ctx, billId);
  const yearBefore = {
    from: Temporal.PlainDate.from(row.periodFrom).subtract({ years: 1 }).toString(),
    to: Temporal.PlainDate.from(row.periodTo).subtract({ years: 1 }).toString(),
  };
  const earliest = Temporal.PlainDate.from(yearBefore.from).subtract({ days: 62 }).toString();
  const candidates = await ctx.db
    .select()
    .from(bills)
    .where(
      and(
        eq(bills.accountId, row.accountId),
        eq(bills.status, "issued"),
        ne(bills.id, row.id),
        lte(bills.periodFrom, row.periodTo),
        gte(bills.periodTo, earliest),
      ),
    );
  const newestFirst = (a: BillRow, b: BillRow) =>
    b.periodTo.localeCompare(a.periodTo) || b.billDate.localeCompare(a.billDate) || b.id - a.id;
  const previousRow =
    candidates.filter((c) => c.periodTo < row.periodTo && c.periodFrom < row.periodFrom).sort(newestFirst)[0] ?? null;
  const days = daysOf(row.periodFrom, row.periodTo);
  const lastYearRow =
    candidates
      .map((c) => ({ c, shared: overlap({ from: c.periodFrom, to: c.periodTo }, yearBefore) }))
      .filter(({ c, shared }) => shared * 2 >= Math.min(days, daysOf(c.periodFrom, c.periodTo)) && shared > 0)
      .sort((a, b) => b.shared - a.shared || newestFirst(a.c, b.c))[0]?.c ?? null;

  const codes = new Set<string>();
  for (const r of [row, previousRow, lastYearRow]) {
    for (const a of ((r?.detail ?? { agreements: [] }) as BillDetail).agreements ?? []) codes.add(a.tariff_code);
  }
  const tariffs = new Map<string, Tariff | null>();
  for (const code of codes) tariffs.set(code, await loadTariff(ctx.db, code).catch(() => null));

  const bill = factsOf(row, tariffs);
  const prev = previousRow ? factsOf(previousRow, tariffs) : null;
  const ly = lastYearRow ? factsOf(lastYearRow, tariffs) : null;
  const previous = prev ? { bill: prev, change: changeOf(bill, prev) } : null;
  const lastYear = ly ? { bill: ly, change: changeOf(bill, ly) } : null;

  const reasons: Reason[] = [];
  if (prev && previousRow) reasons.push(...reasonsAgainstPrevious(bill, prev, row, previousRow, tariffs));
  else {
    reasons.push({
      code: "days",
      sentence: `This bill covers ${plural(bill.days, "day")}: ${kwhWords(bill.kwh)} kWh, ${kwhWords(bill.kwh_per_day)} a day.`,
      figures: { days: bill.days, kwh: bill.kwh, kwh_per_day: bill.kwh_per_day },
    });
    if (bill.estimated)
      reasons.push({
        code: "estimated",
        sentence:
          "This bill was estimated: we could not read the meter. The next bill from an actual read will correct it.",
        figures: { estimated: true },
      });
  }
  reasons.push(...reasonsAgainstLastYear(bill, ly, tariffs));
  if (row.priorBalanceCents > 0n) {
    reasons.push({
      code: "balance",
      sentence: `The amount due, ${usd(row.amountDueCents)}, includes an earlier balance of ${usd(row.priorBalanceCents)} that was still unpaid when this bill was made.`,
      figures: { prior_balance_cents: Number(row.priorBalanceCents), amount_due_cents: Number(row.amountDueCents) },
    });
  }

  return {
    bill_id: row.id,
    account_id: row.accountId,
    headline: headlineOf(bill, previous, lastYear),
    reasons,
    bill,
    comparisons: { previous, last_year: lastYear },
  };
}
