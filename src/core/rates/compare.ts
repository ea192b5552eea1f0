/**
 * Rate comparison: the same usage priced under every eligible tariff, side by side. Monthly totals on a
 * time-of-use tariff are spread over the hours by a standard load shape (and the row says so).
 */
import { civil, daysInMonth, epochDay, isoDate, parseIsoDate, zoneOffsets } from "./calendar.js";
import { quote } from "./engine.js";
import { parseDecimal } from "./exact.js";
import type { Tariff } from "./model.js";
import { type Facts, type IntervalSeries, type Period, RateError, type Usage } from "./types.js";

/**
 * Kilowatt's standard residential load shape: the share of a day's kWh in each local hour, per mille, for
 * weekdays and weekends (low overnight, a morning rise, the late-afternoon and evening peak). An assumption for
 * comparing rates when only monthly totals are known, not a measurement.
 */
export const LOAD_SHAPE = {
  weekday: [28, 25, 23, 22, 22, 25, 33, 41, 40, 36, 35, 36, 37, 38, 40, 44, 52, 60, 64, 63, 58, 51, 42, 35],
  weekend: [30, 27, 25, 24, 23, 24, 28, 34, 40, 43, 44, 44, 43, 42, 42, 44, 50, 56, 60, 60, 56, 50, 41, 34],
};

export interface ComparisonRow {
  tariffCode: string;
  name: string;
  totalCents: bigint;
  months: { from: string; to: string; totalCents: bigint }[];
  basis: "intervals" | "register" | "load_shape";
}

export interface Comparison {
  rows: ComparisonRow[];
  refused: { tariffCode: string; reason: string }[];
}

/** Hourly intervals spreading a register total over the period by the load shape, exactly (integer micro-kWh). */
export function shapeIntervals(timeZone: string, period: Period, kwh: string): IntervalSeries {
  const start = parseIsoDate(period.from);
  const end = parseIsoDate(period.to);
  const q = parseDecimal(String(kwh));
  if (start === undefined || end === undefined || !q) throw new RateError("months", "a month needs from, to and kwh");
  const zone = zoneOffsets(timeZone);
  const fromMs = zone.startOfDay(start);
  const toMs = zone.startOfDay(end + 1);
  const offsetAt = zone.cursor(fromMs, toMs);
  const hours = Math.round((toMs - fromMs) / 3_600_000);
  const startMs = new Float64Array(hours);
  const weights = new Float64Array(hours);
  let weightSum = 0;
  for (let h = 0; h < hours; h++) {
    const t = fromMs + h * 3_600_000;
    const local = t + offsetAt(t);
    const day = Math.floor(local / 86_400_000);
    const hour = Math.floor((local - day * 86_400_000) / 3_600_000);
    const shape = isWeekendish(day) ? LOAD_SHAPE.weekend : LOAD_SHAPE.weekday;
    startMs[h] = t;
    weights[h] = shape[hour]!;
    weightSum += weights[h]!;
  }
  const totalMicro = (q.n * 1_000_000n) / q.d;
  const microKwh = new Float64Array(hours);
  let given = 0n;
  for (let h = 0; h < hours; h++) {
    const m = (totalMicro * BigInt(weights[h]!)) / BigInt(weightSum);
    microKwh[h] = Number(m);
    given += m;
  }
  if (hours > 0) microKwh[hours - 1]! += Number(totalMicro - given);
  return { startMs, microKwh, minutes: 60 };
}

const isWeekendish = (day: number) => {
  const wd = (((day + 4) % 7) + 7) % 7;
  return wd === 0 || wd === 6;
};

/** Calendar months (whole or the covered part) an interval series spans, in the zone. */
export function monthsOf(series: IntervalSeries, timeZone: string): Period[] {
  if (series.startMs.length === 0) return [];
  const zone = zoneOffsets(timeZone);
  const first = series.startMs[0]!;
  const last = series.startMs[series.startMs.length - 1]!;
  const offsetAt = zone.cursor(first, last);
  const startDay = Math.floor((first + offsetAt(first)) / 86_400_000);
  const endDay = Math.floor((last + offsetAt(last)) / 86_400_000);
  const out: Period[] = [];
  let day = startDay;
  while (day <= endDay) {
    const c = civil(day);
    const monthEnd = Math.min(endDay, epochDay(c.y, c.m, daysInMonth(c.y, c.m)));
    out.push({ from: isoDate(day), to: isoDate(monthEnd) });
    day = monthEnd + 1;
  }
  return out;
}

/** Prices each month's usage under each tariff; tariffs that cannot price it are listed with the reason. */
export function compareRates(tariffs: Tariff[], facts: Facts, months: { period: Period; usage: Usage }[]): Comparison {
  if (months.length === 0) throw new RateError("months", "give at least one month of usage");
  const rows: ComparisonRow[] = [];
  const refused: Comparison["refused"] = [];
  for (const t of tariffs) {
    try {
      let basis: ComparisonRow["basis"] = "register";
      const priced = months.map(({ period, usage }) => {
        let u = usage;
        if (usage.kind === "intervals") basis = "intervals";
        else if (t.hasTimeOfUse && !usage.kwhByPeriod) {
          basis = "load_shape";
          u = { kind: "intervals", series: shapeIntervals(t.timeZone, period, usage.kwh) };
        }
        const q = quote(t, facts, period, u);
        return { from: q.period.from, to: q.period.to, totalCents: q.totalCents };
      });
      rows.push({
        tariffCode: t.code,
        name: t.name,
        totalCents: priced.reduce((s, m) => s + m.totalCents, 0n),
        months: priced,
        basis,
      });
    } catch (e) {
      if (!(e instanceof RateError)) throw e;
      refused.push({ tariffCode: t.code, reason: e.message });
    }
  }
  rows.sort((a, b) =>
    a.totalCents < b.totalCents ? -1 : a.totalCents > b.totalCents ? 1 : a.tariffCode.localeCompare(b.tariffCode),
  );
  return { rows, refused };
}

export const comparisonToJson = (c: Comparison) => ({
  rows: c.rows.map((r) => ({
    tariff_code: r.tariffCode,
    name: r.name,
    total_cents: Number(r.totalCents),
    months: r.months.map((m) => ({ from: m.from, to: m.to, total_cents: Number(m.totalCents) })),
    basis: r.basis,
  })),
  refused: c.refused.map((r) => ({ tariff_code: r.tariffCode, reason: r.reason })),
});
