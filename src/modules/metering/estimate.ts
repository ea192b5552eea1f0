import { Decimal } from "decimal.js";
import { Temporal } from "temporal-polyfill";

/** A billed or read period: first and last day (inclusive, YYYY-MM-DD) and the kWh used over it. */
export interface UsagePeriod {
  from: string;
  to: string;
  kwh: string;
}

export interface UsageEstimate {
  /** kWh to 3 decimals. */
  kwh: string;
  basis: "last_year" | "recent_average" | "none";
  /** Why this figure, in words a customer or a CSR can follow, with the figures. */
  explanation: string;
}

/** How many recent periods the recent average uses. */
export const RECENT_PERIODS = 3;
/** Last year's periods must cover at least this share of last year's window for it to be the basis. */
const LAST_YEAR_COVERAGE = 0.5;

const day = (iso: string) => Temporal.PlainDate.from(iso);
/** Days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string) => day(from).until(day(to)).days + 1;
const laterDay = (a: string, b: string) => (a.localeCompare(b) >= 0 ? a : b);
const earlierDay = (a: string, b: string) => (a.localeCompare(b) <= 0 ? a : b);
const fmt = (d: Decimal) => d.toDecimalPlaces(3, Decimal.ROUND_HALF_UP).toFixed(3);
const short = (d: Decimal) => d.toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);

/**
 * Estimates a period's kWh from a meter's history: the same period last year scaled by days (each earlier period
 * counted by the days it shares with last year's window, at its own daily rate), else the recent average daily use
 * (the last 3 periods before this one) times the days, else zero with basis "none". Periods with negative or
 * unparseable usage, or that end after this period starts, are left out. Pure.
 */
export function estimateUsage(history: readonly UsagePeriod[], period: { from: string; to: string }): UsageEstimate {
  const days = daysBetween(period.from, period.to);
  if (days < 1) throw new RangeError(`the period ${period.from}..${period.to} is empty`);
  const usable = history
    .filter((h) => {
      try {
        return h.to < period.from && h.from <= h.to && new Decimal(h.kwh).gte(0);
      } catch {
        return false;
      }
    })
    .sort((a, b) => a.to.localeCompare(b.to));

  const lyFrom = day(period.from).subtract({ years: 1 }).toString();
  const lyTo = day(period.to).subtract({ years: 1 }).toString();
  const lyDays = daysBetween(lyFrom, lyTo);
  let covered = 0;
  let energy = new Decimal(0);
  for (const h of usable) {
    const from = laterDay(h.from, lyFrom);
    const to = earlierDay(h.to, lyTo);
    if (from > to) continue;
    const overlap = daysBetween(from, to);
    covered += overlap;
    energy = energy.plus(new Decimal(h.kwh).times(overlap).dividedBy(daysBetween(h.from, h.to)));
  }
  if (covered > 0 && covered >= lyDays * LAST_YEAR_COVERAGE) {
    const kwh = energy.times(days).dividedBy(covered);
    return {
      kwh: fmt(kwh),
      basis: "last_year",
      explanation:
        `estimated from the same period last year: ${short(energy)} kWh over ${covered} days of ` +
        `${lyFrom} to ${lyTo} (${short(energy.dividedBy(covered))} kWh a day), times ${days} days`,
    };
  }

  const recent = usable.slice(-RECENT_PERIODS);
  if (recent.length > 0) {
    const used = recent.reduce((s, h) => s.plus(h.kwh), new Decimal(0));
    const spanned = recent.reduce((s, h) => s + daysBetween(h.from, h.to), 0);
    const daily = used.dividedBy(spanned);
    return {
      kwh: fmt(daily.times(days)),
      basis: "recent_average",
      explanation:
        `estimated from the recent average: ${short(used)} kWh over ${spanned} days in the last ` +
        `${recent.length} period${recent.length === 1 ? "" : "s"} (${short(daily)} kWh a day), times ${days} days`,
    };
  }
  return { kwh: "0.000", basis: "none", explanation: "no usage history to estimate from: estimated at zero" };
}
