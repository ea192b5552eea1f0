import { DAY_MS } from "./dates.js";
import type { Rng } from "./random.js";

/**
 * Synthetic monthly bills: the cycle's read and bill dates, the due date, and the bill's lines by category in whole
 * cents (energy, delivery and, where the jurisdiction levies one, the utility users' tax).
 */

const weekday = (day: number) => (day + 4) % 7; // epoch day 0 was a Thursday; 0 = Sunday
/** The day itself if a weekday, else the Monday after. */
export const nextWeekday = (day: number) => {
  const w = weekday(day);
  return w === 6 ? day + 2 : w === 0 ? day + 1 : day;
};
const firstOfMonth = (year: number, month: number) => Date.UTC(year, month, 1) / DAY_MS;
const monthOf = (day: number) => {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
};

/** The meter read of bill cycle `cycle` (1-21) in a month: cycles spread over the month's first 28 days, on weekdays. */
export const readDay = (year: number, month: number, cycle: number) =>
  nextWeekday(firstOfMonth(year, month) + Math.floor(((cycle - 1) * 27) / 20));

/** A bill: its service period (from the last read to the day before this one), bill date and due date. */
export interface BillDates {
  from: number;
  to: number;
  billDay: number;
  dueDay: number;
  final: boolean;
}

// Bills go out the weekday after the read; payment is due 19 days after mailing (mailed the day after the bill),
// moved to the next business day (PUC 779.1). Holidays are not modelled.
const billAfter = (read: number) => nextWeekday(read + 1);
const dueAfter = (bill: number) => nextWeekday(bill + 20);

/**
 * The cycle's bills issued on or before `until`, newest last, at most `count`, none of a period starting before
 * `opened` (a first bill covers from move-in). `closed`: the stop date, whose final bill ends the list.
 */
export function billSchedule(cycle: number, opened: number, until: number, count: number, closed: number | null) {
  const end = closed ?? until;
  let { year, month } = monthOf(end);
  const reads: number[] = [];
  // Reads from the end backwards: enough for `count` bills and the read before the first.
  for (let i = 0; reads.length < count + 2 && i < count + 4; i++) {
    const r = readDay(year, month, cycle);
    if (r <= end) reads.unshift(r);
    month -= 1;
    if (month < 0) {
      month = 11;
      year -= 1;
    }
  }
  const bills: BillDates[] = [];
  for (let i = 1; i < reads.length; i++) {
    const from = Math.max(reads[i - 1]!, opened);
    const to = reads[i]! - 1;
    if (to - from < 5) continue;
    const billDay = billAfter(reads[i]!);
    if (billDay <= until) bills.push({ from, to, billDay, dueDay: dueAfter(billDay), final: false });
  }
  if (closed !== null) {
    const last = reads[reads.length - 1] ?? opened;
    const from = Math.max(last, opened);
    const billDay = nextWeekday(closed + 2);
    if (closed >= from && billDay <= until) {
      bills.push({ from, to: closed, billDay, dueDay: dueAfter(billDay), final: true });
    }
  }
  return bills.slice(-count);
}

/** What sets the size of an account's bills. */
export interface UsageProfile {
  klass: string;
  tariff: string;
  climateZone: number;
  /** The customer's own scale against the class median (a household's size, a shop's trade). */
  scale: number;
  /** Percent off energy and delivery (CARE 20, FERA 18) and when it applies. */
  discount: { percent: bigint; from: number; to: number | null } | null;
  /** The utility users' tax in basis points (0: none) and its jurisdiction. */
  taxBasisPoints: bigint;
  jurisdiction: string;
}

// Per-kWh prices in thousandths of a cent ($0.13870 = 13,870), by tariff: [energy, delivery].
const PRICES: Record<string, [bigint, bigint]> = {
  "E-1": [13_870n, 25_120n],
  "E-TOU-C": [14_210n, 24_480n],
  "EV2-A": [11_940n, 21_630n],
  "A-1": [15_320n, 17_680n],
  "B-1": [12_110n, 9_840n],
};
/** A-1 and B-1 carry a customer charge per day, in thousandths of a cent. */
const CUSTOMER_CHARGE_PER_DAY: Record<string, bigint> = { "A-1": 32_854n, "B-1": 492_813n };
/** B-1 demand: $21.45 per kW of the month's peak, in thousandths of a cent. */
const DEMAND_PER_KW = 2_145_000n;

// Median kWh per 30 days by customer class, and the month-by-month shape of use by climate.
export const MEDIAN_KWH: Record<string, number> = {
  residential: 520,
  commercial: 2_600,
  agricultural: 6_000,
  industrial: 380_000,
  street_lighting: 4_200,
};
export const SEASONS = {
  hot: [0.95, 0.85, 0.85, 0.85, 1.0, 1.3, 1.6, 1.65, 1.35, 1.0, 0.9, 1.0],
  mild: [1.05, 0.95, 0.95, 0.9, 0.9, 1.0, 1.15, 1.2, 1.1, 0.95, 0.95, 1.05],
  coastal: [1.15, 1.05, 1.0, 0.95, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 1.05, 1.15],
  mountain: [1.5, 1.35, 1.2, 1.0, 0.85, 0.8, 0.9, 0.9, 0.8, 0.95, 1.2, 1.45],
  pumping: [0.3, 0.3, 0.6, 1.0, 1.5, 1.9, 2.1, 2.0, 1.5, 0.8, 0.4, 0.3],
  lighting: [1.2, 1.1, 1.0, 0.95, 0.85, 0.8, 0.8, 0.85, 0.95, 1.05, 1.15, 1.25],
};
/** The month-by-month shape of use of a customer class in a climate zone. */
export const seasonOf = (klass: string, zone: number): readonly number[] =>
  klass === "agricultural"
    ? SEASONS.pumping
    : klass === "street_lighting"
      ? SEASONS.lighting
      : zone >= 11 && zone <= 13
        ? SEASONS.hot
        : zone === 16
          ? SEASONS.mountain
          : zone === 1 || zone === 3
            ? SEASONS.coastal
            : SEASONS.mild;

/** A customer's scale: log-normal around 1 (sigma by class), so a few use many times the median. */
export function usageScale(rng: Rng, klass: string, tariff: string): number {
  const z = (rng.next() + rng.next() + rng.next() + rng.next() - 2) * Math.sqrt(3);
  const sigma = klass === "residential" ? 0.45 : 0.8;
  let scale = Math.exp(sigma * z);
  if (klass === "commercial" && tariff === "B-1") scale *= 12; // medium and large businesses
  if (tariff === "EV2-A") scale *= 1.45; // charging a car at home
  return scale;
}

// Utility users' tax rates a city may levy, in basis points: about a third of California's cities levy one on
// electricity, the large ones more often; few unincorporated areas do.
const CITY_TAX = [0n, 0n, 0n, 0n, 0n, 0n, 450n, 500n, 550n, 750n];
const COUNTY_TAX = [0n, 0n, 0n, 0n, 0n, 450n];

/** The jurisdiction's utility users' tax, the same for every premise in it. */
export function utilityUsersTax(jurisdiction: string): bigint {
  let h = 0;
  for (let i = 0; i < jurisdiction.length; i++) h = (Math.imul(h, 31) + jurisdiction.charCodeAt(i)) >>> 0;
  const rates = jurisdiction.startsWith("City of ") ? CITY_TAX : COUNTY_TAX;
  return rates[h % rates.length]!;
}

/** One line of a bill: a receivable item of its category. */
export interface BillLine {
  category: "energy" | "delivery" | "tax";
  cents: bigint;
  description: string;
}

/** 12345 as "12,345" (toLocaleString is slow over millions of bills). */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");

/** Rounds thousandths of a cent, scaled by `per`, to whole cents, half up. */
const toCents = (milliCents: bigint, per = 1n) => (milliCents + (per * 1000n) / 2n) / (per * 1000n);

/** The lines of one bill: usage from the profile, the season and the days, priced by the tariff, each rounded once. */
export function billLines(rng: Rng, p: UsageProfile, bill: BillDates): BillLine[] {
  const days = bill.to - bill.from + 1;
  const mid = monthOf(bill.from + Math.floor(days / 2)).month;
  const kwh = Math.max(
    1,
    Math.round(
      (MEDIAN_KWH[p.klass]! * p.scale * seasonOf(p.klass, p.climateZone)[mid]! * days * (0.9 + rng.next() * 0.2)) / 30,
    ),
  );
  const [energyPrice, deliveryPrice] = PRICES[p.tariff] ?? PRICES["A-1"]!;
  const use = BigInt(kwh);
  const energy = use * energyPrice;
  let delivery = use * deliveryPrice + BigInt(days) * (CUSTOMER_CHARGE_PER_DAY[p.tariff] ?? 0n);
  if (p.tariff === "B-1") {
    // The month's peak demand from the energy at a typical load factor (45%).
    const kw = BigInt(Math.max(1, Math.round(kwh / (days * 24 * 0.45))));
    delivery += kw * DEMAND_PER_KW;
  }
  const d = p.discount;
  const discounted = d !== null && d.from <= bill.to && (d.to === null || d.to >= bill.from);
  // A discount is applied before the line is rounded, so each line is rounded to the cent once.
  const share = discounted ? 100n - d.percent : 100n;
  const energyCents = toCents(energy * share, 100n);
  const deliveryCents = toCents(delivery * share, 100n);
  const note = `${p.tariff}, ${grouped(kwh)} kWh${discounted ? `, ${d.percent}% ${d.percent === 20n ? "CARE" : "FERA"} discount` : ""}`;
  const lines: BillLine[] = [
    { category: "energy", cents: energyCents, description: `Energy charges (${note})` },
    { category: "delivery", cents: deliveryCents, description: `Delivery charges (${p.tariff})` },
  ];
  if (p.taxBasisPoints > 0n) {
    const tax = ((energyCents + deliveryCents) * p.taxBasisPoints + 5_000n) / 10_000n;
    if (tax > 0n) {
      lines.push({
        category: "tax",
        cents: tax,
        description: `Utility users' tax ${Number(p.taxBasisPoints) / 100}% (${p.jurisdiction})`,
      });
    }
  }
  return lines.filter((l) => l.cents > 0n);
}
