/** Splits a billing period into parts that share one version, one season and one calendar month. */
import { civil, daysInMonth, epochDay, isoDate, weekday } from "./calendar.js";
import type { HolidayRule, Season, Tariff, Version } from "./model.js";
import { RateError } from "./types.js";

export interface Segment {
  /** First and last epoch day, inclusive. */
  start: number;
  end: number;
  days: number;
  vi: number;
  version: Version;
  si: number;
  /** Days in the calendar month the part starts in. */
  dim: number;
  month: number;
}

/** Index of the season in force on a month and day (seasons sorted by start; the last wraps over New Year). */
export function seasonIndex(seasons: Season[], m: number, d: number): number {
  const key = m * 100 + d;
  let idx = seasons.length - 1;
  for (let i = 0; i < seasons.length; i++) {
    const s = seasons[i]!;
    if (s.m * 100 + s.d <= key) idx = i;
    else break;
  }
  return idx;
}

/** The first day after `day` on which another season of the version starts. */
function nextSeasonStart(seasons: Season[], day: number): number {
  if (seasons.length === 1) return Number.POSITIVE_INFINITY;
  const { y } = civil(day);
  let best = Number.POSITIVE_INFINITY;
  for (const s of seasons)
    for (const yy of [y, y + 1]) {
      const dd = epochDay(yy, s.m, Math.min(s.d, daysInMonth(yy, s.m)));
      if (dd > day && dd < best) best = dd;
    }
  return best;
}

export function versionIndexOn(tariff: Tariff, day: number): number {
  let vi = -1;
  for (let i = 0; i < tariff.versions.length; i++) if (tariff.versions[i]!.day <= day) vi = i;
  return vi;
}

export function segmentsOf(tariff: Tariff, start: number, end: number): Segment[] {
  const out: Segment[] = [];
  let day = start;
  while (day <= end) {
    const vi = versionIndexOn(tariff, day);
    if (vi < 0)
      throw new RateError(
        "from",
        `tariff ${tariff.code} has no version in force on ${isoDate(day)} (its first takes effect ${tariff.versions[0]!.effectiveFrom})`,
      );
    const version = tariff.versions[vi]!;
    const c = civil(day);
    const dim = daysInMonth(c.y, c.m);
    const monthEnd = day + (dim - c.d);
    const nextVersion = tariff.versions[vi + 1]?.day ?? Number.POSITIVE_INFINITY;
    const last = Math.min(
      end,
      version.splitMonths ? monthEnd : end,
      nextVersion - 1,
      nextSeasonStart(version.seasons, day) - 1,
    );
    out.push({
      start: day,
      end: last,
      days: last - day + 1,
      vi,
      version,
      si: seasonIndex(version.seasons, c.m, c.d),
      dim,
      month: c.m,
    });
    day = last + 1;
  }
  return out;
}

const holidayCache = new WeakMap<Version, Map<number, Set<number>>>();

function holidaysOf(rules: HolidayRule[], y: number): Set<number> {
  const set = new Set<number>();
  for (const r of rules) {
    if (r.kind === "date") set.add(r.day);
    else if (r.kind === "fixed") set.add(epochDay(y, r.m, Math.min(r.d, daysInMonth(y, r.m))));
    else {
      const first = epochDay(y, r.m, 1);
      const dim = daysInMonth(y, r.m);
      if (r.nth > 0) {
        const d = first + ((r.weekday - weekday(first) + 7) % 7) + (r.nth - 1) * 7;
        if (d < first + dim) set.add(d);
      } else {
        const lastDay = first + dim - 1;
        set.add(lastDay - ((weekday(lastDay) - r.weekday + 7) % 7));
      }
    }
  }
  return set;
}

/** Whether a day is priced as a weekend: Saturday, Sunday or one of the version's holidays. */
export function isWeekendDay(version: Version, day: number): boolean {
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return true;
  if (version.holidays.length === 0) return false;
  let byYear = holidayCache.get(version);
  if (!byYear) {
    byYear = new Map();
    holidayCache.set(version, byYear);
  }
  const { y } = civil(day);
  let set = byYear.get(y);
  if (!set) {
    set = holidaysOf(version.holidays, y);
    byYear.set(y, set);
  }
  return set.has(day);
}
