/** Usage by part of the period and time-of-use period: a register total shared by days, or summed intervals. */
import { zoneOffsets } from "./calendar.js";
import { add, cmp, frac, mul, parseDecimal, type Q, toDecimalString, ZERO } from "./exact.js";
import type { Tariff } from "./model.js";
import { isWeekendDay, type Segment } from "./segments.js";
import { type IntervalSeries, RateError, type Usage } from "./types.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MICRO = 1_000_000n;

export interface SegmentUsage {
  /** kWh by energy period index. */
  byPeriod: Q[];
  total: Q;
  /** Highest demand (kW) at any hour, if known. */
  demandAll?: Q | undefined;
  /** Highest demand (kW) by scheduled demand period index, if known. */
  demandByPeriod?: Q[] | undefined;
}

export interface PeriodUsage {
  segments: SegmentUsage[];
  totalKwh: Q;
  fromIntervals: boolean;
}

function decimalField(path: string, v: string): Q {
  const q = parseDecimal(String(v));
  if (!q) throw new RateError(path, `"${v}" is not a decimal number`);
  if (q.n < 0n) throw new RateError(path, `${v} must not be negative`);
  return q;
}

/** Shares usage among the period's parts; intervals are summed by the local hour each starts in. */
export function usageBySegment(tariff: Tariff, segs: Segment[], start: number, end: number, usage: Usage): PeriodUsage {
  return usage.kind === "register"
    ? registerUsage(tariff, segs, start, end, usage)
    : intervalUsage(tariff, segs, start, end, usage.series);
}

function registerUsage(
  tariff: Tariff,
  segs: Segment[],
  start: number,
  end: number,
  usage: Extract<Usage, { kind: "register" }>,
): PeriodUsage {
  const total = decimalField("kwh", usage.kwh);
  const demand = usage.demandKw === undefined ? undefined : decimalField("demand_kw", usage.demandKw);
  let byName: Map<string, Q> | undefined;
  if (usage.kwhByPeriod) {
    byName = new Map();
    let sum = ZERO;
    for (const [k, v] of Object.entries(usage.kwhByPeriod)) {
      if (!tariff.periodNames.includes(k))
        throw new RateError(
          `kwh_by_period.${k}`,
          `tariff ${tariff.code} has no period ${k} (periods: ${tariff.periodNames.join(", ")})`,
        );
      const q = decimalField(`kwh_by_period.${k}`, v);
      byName.set(k, q);
      sum = add(sum, q);
    }
    if (cmp(sum, total) !== 0)
      throw new RateError("kwh_by_period", `adds up to ${toDecimalString(sum)} kWh, not the ${usage.kwh} kWh given`);
  }
  const days = end - start + 1;
  const segments = segs.map((s): SegmentUsage => {
    const share = frac(s.days, days);
    const v = s.version;
    let byPeriod: Q[];
    if (v.schedule) {
      if (!byName)
        throw new RateError(
          "kwh",
          `tariff ${tariff.code} prices by time of use: give interval data, or kWh by period (${v.periods.map((p) => p.name).join(", ")})`,
        );
      byPeriod = v.periods.map((p) => mul(byName.get(p.name) ?? ZERO, share));
    } else byPeriod = [mul(total, share)];
    let sum = ZERO;
    for (const q of byPeriod) sum = add(sum, q);
    if (v.demand[s.si]!.byPeriod.size > 0 && v.hasDemand)
      throw new RateError(
        "demand_kw",
        `tariff ${tariff.code} charges demand by time-of-use period: give interval data`,
      );
    return { byPeriod, total: sum, demandAll: demand };
  });
  return { segments, totalKwh: total, fromIntervals: false };
}

function intervalUsage(
  tariff: Tariff,
  segs: Segment[],
  start: number,
  end: number,
  series: IntervalSeries,
): PeriodUsage {
  const days = end - start + 1;
  const segOfDay = new Int32Array(days);
  const energyRow: (Int8Array | null)[] = new Array(days);
  const demandRow: (Int8Array | null)[] = new Array(days);
  let maxP = 1;
  let maxD = 1;
  for (const [si, s] of segs.entries()) {
    const v = s.version;
    maxP = Math.max(maxP, v.periods.length);
    maxD = Math.max(maxD, v.demandPeriods.length);
    for (let d = s.start; d <= s.end; d++) {
      const i = d - start;
      segOfDay[i] = si;
      const weekend = v.schedule || v.demandSchedule ? isWeekendDay(v, d) : false;
      const e = v.schedule?.[s.si];
      energyRow[i] = e ? (weekend ? e.weekend : e.weekday) : null;
      const dr = v.demandSchedule?.[s.si];
      demandRow[i] = dr ? (weekend ? dr.weekend : dr.weekday) : null;
    }
  }
  const n = segs.length;
  const energy = new Float64Array(n * maxP);
  const peakAll = new Float64Array(n);
  const peak = new Float64Array(n * maxD);
  const { startMs, microKwh } = series;
  const count = startMs.length;
  // The first interval that can fall on the first day: a day back covers any UTC offset.
  const firstMs = start * DAY_MS - DAY_MS;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((startMs[mid] ?? 0) < firstMs) lo = mid + 1;
    else hi = mid;
  }
  const lastMs = (end + 2) * DAY_MS;
  const offsetAt = zoneOffsets(tariff.timeZone).cursor(firstMs, lastMs);
  let total = 0;
  for (let i = lo; i < count; i++) {
    const t = startMs[i]!;
    if (t >= lastMs) break;
    const local = t + offsetAt(t);
    const dayAbs = Math.floor(local / DAY_MS);
    const di = dayAbs - start;
    if (di < 0 || di >= days) continue;
    const hour = Math.floor((local - dayAbs * DAY_MS) / HOUR_MS);
    const seg = segOfDay[di]!;
    const e = microKwh[i]!;
    total += e;
    const er = energyRow[di];
    energy[seg * maxP + (er ? er[hour]! : 0)]! += e;
    if (e > peakAll[seg]!) peakAll[seg] = e;
    const dr = demandRow[di];
    if (dr) {
      const k = seg * maxD + dr[hour]!;
      if (e > peak[k]!) peak[k] = e;
    }
  }
  // kW = kWh / hours = micro-kWh * 60 / (minutes * 1e6)
  const kwDen = BigInt(series.minutes) * MICRO;
  const kw = (micro: number): Q => ({ n: BigInt(micro) * 60n, d: kwDen });
  const segments = segs.map((s, si): SegmentUsage => {
    const v = s.version;
    const byPeriod = v.periods.map((_, p) => ({ n: BigInt(energy[si * maxP + p]!), d: MICRO }));
    let sum = 0;
    for (let p = 0; p < v.periods.length; p++) sum += energy[si * maxP + p]!;
    return {
      byPeriod,
      total: { n: BigInt(sum), d: MICRO },
      demandAll: kw(peakAll[si]!),
      demandByPeriod: v.demandPeriods.map((_, p) => kw(peak[si * maxD + p]!)),
    };
  });
  return { segments, totalKwh: { n: BigInt(total), d: MICRO }, fromIntervals: true };
}
