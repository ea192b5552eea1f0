import { sql } from "drizzle-orm";
import { zoneOffsets } from "../core/rates/calendar.js";
import type { Ctx } from "../platform/context.js";
import { kwhOn, type Meter, milli, num, type Plan, type ReadEvent, type Usage, unit } from "./billing-history-plan.js";
import { dayOf, iso } from "./dates.js";

/**
 * The billing history's meter data (billing-history.ts): hourly interval days written up front, and each month's
 * register reads, written set-based, each read's usage counted from the meter's last valid read (an estimate the bill
 * run made included).
 */

// --- Writing the meter data. --------------------------------------------------------------------------------------

/** A meter's use on a day in thousandths of a dial unit (a dial unit is `mult` kWh; on an interval meter, `mult` Wh). */
const dayUnits = (seed: number, meter: Meter, u: Usage, day: number) =>
  Math.round((kwhOn(seed, meter.sp, u, day) * 1000) / meter.mult);

const INTERVAL_ROWS = 60_000;

/** Hourly interval days, as many days a statement as fit, each day's hours adding up to the day's use exactly. */
export async function writeIntervals(ctx: Ctx, seed: number, p: Plan): Promise<number> {
  const zone = zoneOffsets(ctx.clock.timezone);
  const hoursOf = new Map<number, number>();
  const hours = (day: number) => {
    let h = hoursOf.get(day);
    if (h === undefined) {
      h = Math.round((zone.startOfDay(day + 1) - zone.startOfDay(day)) / 3_600_000);
      hoursOf.set(day, h);
    }
    return h;
  };
  const ranges = [...p.intervals].sort((a, b) => a.meter.id - b.meter.id || a.from - b.from);
  const cols = { meter: [] as number[], day: [] as string[], wh: [] as string[] };
  let written = 0;
  const flush = async () => {
    if (cols.meter.length === 0) return;
    await ctx.db.execute(sql`
      INSERT INTO interval_days (meter_id, day, minutes, wh, source)
      SELECT v.meter_id, v.day, 60, v.wh::int4[], 'seed'
      FROM unnest(${sql.param(cols.meter)}::int8[], ${sql.param(cols.day)}::date[], ${sql.param(cols.wh)}::text[])
           AS v(meter_id, day, wh)`);
    written += cols.meter.length;
    cols.meter = [];
    cols.day = [];
    cols.wh = [];
  };
  let meterId = -1;
  let through = 0;
  for (const r of ranges) {
    if (r.meter.id !== meterId) {
      meterId = r.meter.id;
      through = r.from;
    }
    const u = p.usage.get(r.meter.sp)!;
    for (let day = Math.max(r.from, through) + 1; day <= r.to; day++) {
      const wh = dayUnits(seed, r.meter, u, day) * r.meter.mult;
      const n = hours(day);
      // The local hour of each reading: the clocks skip 2 a.m. on a 23-hour day and repeat 1 a.m. on a 25-hour one.
      const weights: number[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        const hour = n === 24 || i < 2 ? i : n === 23 ? i + 1 : i - 1;
        const jitter =
          85 +
          (((Math.imul(meterId, 0x9e3779b1) ^ Math.imul(day, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0) % 31);
        const w = r.shape[hour]! * jitter;
        weights.push(w);
        total += w;
      }
      let rest = wh;
      const values = weights.map((w, i) => {
        const v = i === n - 1 ? rest : Math.floor((wh * w) / total);
        rest -= v;
        return v;
      });
      cols.meter.push(meterId);
      cols.day.push(iso(day));
      cols.wh.push(`{${values.join(",")}}`);
      if (cols.meter.length >= INTERVAL_ROWS) await flush();
    }
    through = Math.max(through, r.to);
  }
  await flush();
  return written;
}

/**
 * Where a meter's dials stand: the use so far (thousandths of a dial unit, from the dials' reading at the start), and
 * the last valid read the next read's usage counts from. A register shows whole units; an interval meter to the Wh.
 */
export interface Dial {
  day: number;
  cum: number;
  validDay: number;
  validCum: number;
}
const shown = (m: Meter, cum: number) => (m.interval ? cum : Math.floor(cum / 1000) * 1000);

/** The register reads of one month, in one statement: each read's usage is counted from the meter's last valid read. */
export async function writeReads(ctx: Ctx, seed: number, p: Plan, dials: Map<number, Dial>, events: ReadEvent[]) {
  const c = {
    meter: [] as number[],
    sp: [] as number[],
    day: [] as string[],
    reading: [] as string[],
    kwh: [] as (string | null)[],
    kw: [] as (string | null)[],
    rollover: [] as number[],
  };
  for (const e of events) {
    const m = e.meter;
    const u = p.usage.get(m.sp)!;
    let d = dials.get(m.id);
    if (!d) {
      d = { day: e.day, cum: m.base, validDay: e.day, validCum: m.base };
      dials.set(m.id, d);
    }
    for (let day = d.day + 1; day <= e.day; day++) d.cum += dayUnits(seed, m, u, day);
    d.day = e.day;
    if (e.missing) continue;
    const reading = shown(m, d.cum);
    let kwh: string | null = null;
    let kw: string | null = null;
    let rollover = 0;
    if (!e.opening) {
      const used = Math.max(0, reading - d.validCum) * m.mult;
      kwh = milli(used);
      rollover = Math.max(0, Math.floor(reading / m.wrap) - Math.floor(d.validCum / m.wrap));
      if (m.demand) {
        const loadFactor = 0.3 + 0.25 * unit(seed, m.id, e.day);
        kw = (used / 1000 / (Math.max(1, e.day - d.validDay) * 24 * loadFactor)).toFixed(1);
      }
    }
    d.validDay = e.day;
    d.validCum = reading;
    c.meter.push(m.id);
    c.sp.push(m.sp);
    c.day.push(iso(e.day));
    c.reading.push(milli(reading % m.wrap));
    c.kwh.push(kwh);
    c.kw.push(kw);
    c.rollover.push(rollover);
  }
  if (c.meter.length === 0) return 0;
  await ctx.db.execute(sql`
    INSERT INTO meter_reads (meter_id, service_point_id, read_on, reading, kwh, demand_kw, kind, source, rollover,
                             created_by)
    SELECT v.meter_id, v.sp, v.day, v.reading::numeric, v.kwh::numeric, v.kw::numeric, 'actual', 'seed', v.rollover,
           'seed'
    FROM unnest(${sql.param(c.meter)}::int8[], ${sql.param(c.sp)}::int8[], ${sql.param(c.day)}::date[],
                ${sql.param(c.reading)}::text[], ${sql.param(c.kwh)}::text[], ${sql.param(c.kw)}::text[],
                ${sql.param(c.rollover)}::int4[]) WITH ORDINALITY AS v(meter_id, sp, day, reading, kwh, kw, rollover, n)
    ORDER BY v.n`);
  return c.meter.length;
}

/** The bill run's estimates (made where a read was missing) move the read each meter's next usage counts from. */
export async function takeEstimates(ctx: Ctx, dials: Map<number, Dial>, meters: Map<number, Meter>, afterId: number) {
  const rows = await ctx.database.rows<{ id: bigint; meter_id: bigint; read_on: string; reading: string }>(
    ctx.db,
    sql`SELECT id, meter_id, read_on::text AS read_on, reading::text AS reading FROM meter_reads
        WHERE source = 'estimate' AND id > ${afterId}::int8 ORDER BY id`,
  );
  for (const r of rows) {
    const d = dials.get(num(r.meter_id));
    const m = meters.get(num(r.meter_id));
    if (!d || !m) continue;
    const at = Math.round(Number(r.reading) * 1000);
    const from = ((d.validCum % m.wrap) + m.wrap) % m.wrap;
    d.validCum += (((at - from) % m.wrap) + m.wrap) % m.wrap;
    d.validDay = dayOf(r.read_on);
  }
  return rows.reduce((a, r) => Math.max(a, num(r.id)), afterId);
}
