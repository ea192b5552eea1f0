import { sql } from "drizzle-orm";
import { isoDate, parseIsoDate, zoneOffsets } from "../../core/rates/calendar.js";
import type { IntervalSeries } from "../../core/rates/index.js";
import { audit } from "../../platform/audit.js";
import type { Ctx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { lockMeters, type MeterInfo } from "./meters.js";
import { intervalDays } from "./schema.js";

// Interval data is kept one row per meter and local day (the utility's zone), the day's readings as an array of
// watt-hours from the day's first instant: 24 a day hourly, 96 quarter-hourly, 23/25 and 92/100 on the days the
// clocks change, one for daily data. Measured on PostgreSQL, a day row with its primary key takes about 230 bytes
// hourly and 530 quarter-hourly: a year of hourly data for a million meters is 365 million rows, ~83 GB, where a row
// per reading would be 8.8 billion rows.

const DAY_MS = 86_400_000;
/** Interval lengths stored, in minutes: those that divide an hour (so every local day holds whole intervals), and a day. */
export const INTERVAL_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 1440] as const;
/** The largest watt-hours one interval may hold (the column is a 32-bit integer). */
const MAX_WH = 2_147_483_647;

/** One interval reading as read from a file: its start, its length and its energy in whole watt-hours. */
export interface RawReading {
  startMs: number;
  durationMs: number;
  wh: number;
  /** Where it is in the file ("line 12", "IntervalReading at line 120"). */
  where: string;
}

/** Readings skipped, by reason, with a few examples. */
export interface Skipped {
  reason: string;
  count: number;
  examples: string[];
}

export class SkipLog {
  private readonly byReason = new Map<string, Skipped>();
  add(reason: string, example: string) {
    let s = this.byReason.get(reason);
    if (!s) {
      s = { reason, count: 0, examples: [] };
      this.byReason.set(reason, s);
    }
    s.count += 1;
    if (s.examples.length < 5) s.examples.push(example);
  }
  get list(): Skipped[] {
    return [...this.byReason.values()];
  }
}

/** A day of one meter's intervals, as stored. */
export interface DayRow {
  day: string;
  minutes: number;
  wh: (number | null)[];
}

/** The local calendar of a zone: day of an instant, first instant of a day (cached). */
export function localCalendar(zone: string) {
  const offsets = zoneOffsets(zone);
  const starts = new Map<number, number>();
  let cursor: ((ms: number) => number) | null = null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const startOf = (day: number) => {
    let s = starts.get(day);
    if (s === undefined) {
      s = offsets.startOfDay(day);
      starts.set(day, s);
    }
    return s;
  };
  return {
    zone,
    startOf,
    dayOf(ms: number): number {
      if (!cursor || ms < lo || ms > hi) {
        lo = ms - 400 * DAY_MS;
        hi = ms + 400 * DAY_MS;
        cursor = offsets.cursor(lo, hi);
      }
      return Math.floor((ms + cursor(ms)) / DAY_MS);
    },
    /** How many intervals of `minutes` the local day holds. */
    slots(day: number, minutes: number): number {
      return minutes === 1440 ? 1 : (startOf(day + 1) - startOf(day)) / (minutes * 60_000);
    },
  };
}

const clock = (ms: number, zone: string) =>
  new Date(ms).toLocaleTimeString("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" });

/**
 * Puts readings of one length into local-day arrays. A reading spanning several intervals (7200 s in an hourly
 * series) is spread evenly over them in whole Wh (the remainder to the first), so no energy is lost; a reading of no
 * length, of a length that is not whole intervals, negative, off the local interval grid, or for an interval
 * already given earlier in the file (the first is kept) is skipped with its reason.
 */
export function placeReadings(
  readings: readonly RawReading[],
  minutes: number,
  zone: string,
  skipped: SkipLog,
): Map<number, (number | null)[]> {
  const cal = localCalendar(zone);
  const days = new Map<number, (number | null)[]>();
  const slotMs = minutes * 60_000;
  const label = (r: RawReading) => `${r.where}: ${new Date(r.startMs).toISOString()}`;
  for (const r of readings) {
    if (r.wh < 0) {
      skipped.add("negative energy (energy delivered cannot be negative)", `${label(r)} ${r.wh} Wh`);
      continue;
    }
    if (r.wh > MAX_WH) {
      skipped.add(`more than ${MAX_WH} Wh in one interval`, `${label(r)} ${r.wh} Wh`);
      continue;
    }
    if (r.durationMs <= 0) {
      skipped.add("a reading of no duration", `${label(r)} lasts ${r.durationMs / 1000} s`);
      continue;
    }
    const day = cal.dayOf(r.startMs);
    const dayStart = cal.startOf(day);
    if (minutes === 1440) {
      const length = cal.startOf(day + 1) - dayStart;
      if (r.startMs !== dayStart || r.durationMs !== length) {
        skipped.add(
          `a daily reading must cover one local day in ${zone}, midnight to midnight`,
          `${label(r)} starts at ${clock(r.startMs, zone)} and lasts ${r.durationMs / 1000} s`,
        );
        continue;
      }
      const row = days.get(day) ?? [null];
      if (row[0] !== null) {
        skipped.add("a second reading for the same interval (the first is kept)", label(r));
        continue;
      }
      row[0] = r.wh;
      days.set(day, row);
      continue;
    }
    if (r.durationMs % slotMs !== 0) {
      skipped.add(
        `a duration that is not a whole number of ${minutes}-minute intervals`,
        `${label(r)} lasts ${r.durationMs / 1000} s`,
      );
      continue;
    }
    if ((r.startMs - dayStart) % slotMs !== 0) {
      skipped.add(
        `a start off the ${minutes}-minute grid of the local day in ${zone}`,
        `${label(r)} starts at ${clock(r.startMs, zone)}`,
      );
      continue;
    }
    const k = r.durationMs / slotMs;
    if (k > 1) skipped.add(`spread evenly over the ${minutes}-minute intervals it covers (kept)`, label(r));
    const base = Math.floor(r.wh / k);
    let rest = r.wh - base * k;
    for (let j = 0; j < k; j++) {
      const t = r.startMs + j * slotMs;
      const d = j === 0 ? day : cal.dayOf(t);
      let row = days.get(d);
      if (!row) {
        row = new Array<number | null>(cal.slots(d, minutes)).fill(null);
        days.set(d, row);
      }
      const i = (t - cal.startOf(d)) / slotMs;
      const share = base + (rest > 0 ? 1 : 0);
      if (rest > 0) rest -= 1;
      if (row[i] !== null && row[i] !== undefined) {
        skipped.add("a second reading for the same interval (the first is kept)", label(r));
        continue;
      }
      row[i] = share;
    }
  }
  return days;
}

/** What an interval import stored for one meter. */
export interface MeterIntervalReport {
  meter_number: string;
  minutes: number;
  /** Intervals written by this import (new or changed). */
  intervals: number;
  days: number;
  /** Energy of the intervals the import brought, Wh and kWh. */
  wh: number;
  kwh: string;
  first_day: string | null;
  last_day: string | null;
  skipped: Skipped[];
}

const kwhOf = (wh: number) => (wh / 1000).toFixed(3);
const literal = (wh: readonly (number | null)[]) => `{${wh.map((v) => (v === null ? "NULL" : String(v))).join(",")}}`;
const CHUNK = 1000;

/**
 * Stores placed days for one meter: each day merged into the day already stored (the new readings over the old);
 * a day stored at another interval length is left as it is, with the reason. Upserts a chunk of days per statement.
 */
export async function storeDays(
  ctx: Ctx,
  meter: MeterInfo,
  minutes: number,
  placed: Map<number, (number | null)[]>,
  skipped: SkipLog,
  source: string,
): Promise<MeterIntervalReport> {
  await lockMeters(ctx, [meter.id]);
  const dayList = [...placed.keys()].sort((a, b) => a - b);
  const isoDays = dayList.map(isoDate);
  const existing = new Map<string, { minutes: number; wh: (number | null)[] }>();
  for (let at = 0; at < isoDays.length; at += CHUNK) {
    const rows = await ctx.database.rows<{ day: string; minutes: number; wh: (number | null)[] }>(
      ctx.db,
      sql`SELECT day, minutes, wh FROM ${intervalDays}
          WHERE meter_id = ${meter.id} AND day = ANY(${sql.param(isoDays.slice(at, at + CHUNK))}::date[])`,
    );
    for (const r of rows) existing.set(r.day, { minutes: r.minutes, wh: r.wh });
  }
  const write: DayRow[] = [];
  let intervals = 0;
  let wh = 0;
  for (const [n, d] of dayList.entries()) {
    const day = isoDays[n]!;
    const incoming = placed.get(d)!;
    const old = existing.get(day);
    if (old && old.minutes !== minutes) {
      skipped.add(
        "a day already stored at another interval length (left as it is)",
        `${day} is stored at ${old.minutes} minutes`,
      );
      continue;
    }
    const merged = old && old.wh.length === incoming.length ? [...old.wh] : new Array(incoming.length).fill(null);
    let changed = 0;
    for (let i = 0; i < incoming.length; i++) {
      const v = incoming[i];
      if (v === null || v === undefined) continue;
      wh += v;
      if (merged[i] !== v) {
        merged[i] = v;
        changed += 1;
      }
    }
    if (changed > 0 || !old) write.push({ day, minutes, wh: merged });
    intervals += changed;
  }
  for (let at = 0; at < write.length; at += CHUNK) {
    const chunk = write.slice(at, at + CHUNK);
    await ctx.database.rows(
      ctx.db,
      sql`INSERT INTO ${intervalDays} (meter_id, day, minutes, wh, source)
          SELECT ${meter.id}, u.day, u.minutes, u.wh::int4[], ${source}
          FROM unnest(${sql.param(chunk.map((c) => c.day))}::date[], ${sql.param(chunk.map((c) => c.minutes))}::int4[],
                      ${sql.param(chunk.map((c) => literal(c.wh)))}::text[]) AS u(day, minutes, wh)
          ON CONFLICT (meter_id, day) DO UPDATE
            SET minutes = excluded.minutes, wh = excluded.wh, source = excluded.source, recorded_at = now()`,
    );
  }
  return {
    meter_number: meter.meterNumber,
    minutes,
    intervals,
    days: dayList.length,
    wh,
    kwh: kwhOf(wh),
    first_day: isoDays[0] ?? null,
    last_day: isoDays[isoDays.length - 1] ?? null,
    skipped: skipped.list,
  };
}

/** Audits an interval import: one row per file, with what each meter got. */
export async function auditIntervalImport(
  ctx: Ctx,
  file: string | undefined,
  format: string,
  meters: MeterIntervalReport[],
) {
  await audit(ctx, {
    action: "interval_days.import",
    entityType: "interval_import",
    entityId: file ?? format,
    after: {
      file: file ?? null,
      format,
      meters: meters.map((m) => ({
        meter_number: m.meter_number,
        minutes: m.minutes,
        days: m.days,
        intervals: m.intervals,
        kwh: m.kwh,
        skipped: m.skipped.map((s) => ({ reason: s.reason, count: s.count })),
      })),
    },
  });
}

/** Checks a local date range (YYYY-MM-DD, inclusive, at most `maxDays`), naming the field that is wrong. */
export function checkRange(from: string, to: string, maxDays = 3700): { from: number; to: number } {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  if (a === undefined) throw badRequest(`from "${from}" is not a date`, [{ field: "from", message: "YYYY-MM-DD" }]);
  if (b === undefined) throw badRequest(`to "${to}" is not a date`, [{ field: "to", message: "YYYY-MM-DD" }]);
  if (b < a) throw badRequest("to is before from", [{ field: "to", message: `on or after ${from}` }]);
  if (b - a + 1 > maxDays) throw badRequest(`at most ${maxDays} days at once`, [{ field: "to", message: "too far" }]);
  return { from: a, to: b };
}

/** The stored days of one meter in a local date range, in order. */
export async function loadDays(ctx: Ctx, meterId: number, from: string, to: string): Promise<DayRow[]> {
  return ctx.database.rows<DayRow>(
    ctx.db,
    sql`SELECT day, minutes, wh FROM ${intervalDays}
        WHERE meter_id = ${meterId} AND day BETWEEN ${from} AND ${to} ORDER BY day`,
  );
}

/**
 * Each meter's intervals over local days from..to as the rate engine takes them (starts in epoch ms, micro-kWh),
 * from interval_days in one query; missing readings are left out. A meter whose days in the range have different
 * interval lengths is refused (intervals.mixed_lengths): the rate engine prices one length at a time.
 */
export async function intervalSeriesFor(
  ctx: Ctx,
  meterIds: readonly number[],
  from: string,
  to: string,
): Promise<Map<number, IntervalSeries>> {
  const out = new Map<number, IntervalSeries>();
  if (meterIds.length === 0) return out;
  const rows = await ctx.database.rows<{ meter_id: bigint; day: string; minutes: number; wh: (number | null)[] }>(
    ctx.db,
    sql`SELECT meter_id, day, minutes, wh FROM ${intervalDays}
        WHERE meter_id = ANY(${sql.param([...new Set(meterIds)])}::int8[]) AND day BETWEEN ${from} AND ${to}
        ORDER BY meter_id, day`,
  );
  const cal = localCalendar(ctx.clock.timezone);
  let i = 0;
  while (i < rows.length) {
    const meterId = Number(rows[i]!.meter_id);
    let j = i;
    let n = 0;
    const minutes = rows[i]!.minutes;
    for (; j < rows.length && Number(rows[j]!.meter_id) === meterId; j++) {
      if (rows[j]!.minutes !== minutes) {
        throw ruleRefused(
          "intervals.mixed_lengths",
          `meter ${meterId} has ${minutes}-minute and ${rows[j]!.minutes}-minute days between ${from} and ${to}`,
        );
      }
      for (const v of rows[j]!.wh) if (v !== null) n++;
    }
    const startMs = new Float64Array(n);
    const microKwh = new Float64Array(n);
    let k = 0;
    for (let r = i; r < j; r++) {
      const row = rows[r]!;
      const start = cal.startOf(parseIsoDate(row.day)!);
      row.wh.forEach((v, s) => {
        if (v === null) return;
        startMs[k] = start + s * minutes * 60_000;
        microKwh[k] = v * 1000;
        k++;
      });
    }
    out.set(meterId, { startMs, microKwh, minutes });
    i = j;
  }
  return out;
}
