import { sql } from "drizzle-orm";
import type { Ctx } from "../platform/context.js";
import { MEDIAN_KWH, nextWeekday, readDay, seasonOf, usageScale } from "./bills.js";
import { DAY_MS, dayOf, iso } from "./dates.js";
import { Rng, streamSeed } from "./random.js";

/**
 * What the billing history reads (billing-history.ts): each month's read and bill days by cycle, each customer's use
 * day by day, and the plan of the reads the meters give and the interval data they record.
 */

// --- Usage: what a customer uses a day, by class, climate zone, season and the customer's own scale. ------------

// Median kWh per 30 days by class and the month-by-month shape of use by climate: the seed's own (bills.ts).
// The most a customer uses in its heaviest month, kWh: the largest customers stay under the bill run's review limits
// (billing.hold_rules over_cents, $1,500 residential and $50,000 otherwise by default), so the exception queue holds
// only the few high-usage bills made on purpose.
const PEAK_MONTH_CAP = (klass: string) => (klass === "residential" ? 1_600 : 90_000);

// Relative use by local hour for interval data: a household (evening peak), a household charging a car after
// midnight, and a business open by day.
const SHAPES = {
  home: [4, 3, 3, 3, 3, 4, 6, 7, 6, 5, 4, 4, 4, 4, 5, 6, 8, 10, 11, 10, 9, 8, 6, 5],
  ev: [16, 16, 15, 13, 8, 4, 6, 7, 6, 5, 4, 4, 4, 4, 5, 6, 8, 10, 11, 10, 9, 8, 7, 12],
  business: [4, 4, 4, 4, 4, 5, 7, 9, 11, 12, 12, 12, 12, 12, 12, 11, 10, 8, 6, 5, 5, 4, 4, 4],
};

/** A uniform number in [0, 1) fixed by the seed and two ordinals. */
export const unit = (seed: number, a: number, b: number) => streamSeed(seed, a, b) / 4_294_967_296;

export interface Usage {
  kwhPerDay: number;
  /** The month-by-month shape of use (12 factors). */
  season: readonly number[];
  weekend: number;
  /** A stretch of days used several times over (a leak, a new appliance): the bill run holds its bill for review. */
  spike: { from: number; to: number; factor: number } | null;
}

const yearMonth = (day: number) => {
  const d = new Date(day * DAY_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() };
};
const weekend = (day: number) => {
  const w = (day + 4) % 7;
  return w === 0 || w === 6;
};

/** kWh used on a day: the customer's level, the season, the day of the week and a little weather, month and day. */
export function kwhOn(seed: number, sp: number, u: Usage, day: number): number {
  const { y, m } = yearMonth(day);
  const month = 0.88 + 0.24 * unit(seed, sp, y * 12 + m);
  const daily = 0.85 + 0.3 * unit(seed, sp, 100_000 + day);
  const spike = u.spike && day > u.spike.from && day <= u.spike.to ? u.spike.factor : 1;
  return u.kwhPerDay * u.season[m]! * month * daily * (weekend(day) ? u.weekend : 1) * spike;
}

// --- What is read: agreements, their service points' meters, and the reads the history takes. -----------------

export interface Agreement {
  id: number;
  accountId: number;
  klass: string;
  closed: boolean;
  cycle: number;
  tariff: string;
  start: number;
  end: number | null;
  sp: number;
  zone: number;
}

export interface Meter {
  id: number;
  sp: number;
  from: number;
  interval: boolean;
  mult: number;
  /** 10^dials, in thousandths: where the dials roll over. */
  wrap: number;
  demand: boolean;
  /** The dials' reading at the history's start, in thousandths of a dial unit. */
  base: number;
}

export interface ReadEvent {
  meter: Meter;
  sa: Agreement;
  day: number;
  /** The meter's first read here (installed, or the history's first): no usage since a read before. */
  opening: boolean;
  /** A cycle's monthly read (not a move-in, move-out or meter exchange). */
  cycleRead: boolean;
  /** Not read this month: the bill run estimates it. */
  missing: boolean;
}

export const num = (v: unknown) => Number(v ?? 0);
export const cents = (v: unknown) => BigInt((v as bigint | number | string | null) ?? 0);
export const grouped = (n: number | bigint) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");
/** Thousandths as a decimal with three places ("12.345"). */
export const milli = (v: number) => {
  const sign = v < 0 ? "-" : "";
  const a = Math.abs(v);
  return `${sign}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, "0")}`;
};

// --- The calendar: each month's read day and bill day per cycle, as the demo's schedule has them (bills.ts). ------

export interface Round {
  label: string;
  /** Read day and bill day by cycle (index 1-21). */
  read: number[];
  bill: number[];
}

/** Month 0 (the reads the history starts from) to month `months`, the business date's. */
export function roundsOf(today: number, months: number): Round[] {
  const { y, m } = yearMonth(today);
  return Array.from({ length: months + 1 }, (_, r) => {
    const month = m - months + r;
    const year = y + Math.floor(month / 12);
    const mm = ((month % 12) + 12) % 12;
    const read = [0];
    const bill = [0];
    for (let c = 1; c <= 21; c++) {
      read.push(readDay(year, mm, c));
      bill.push(nextWeekday(read[c]! + 1));
    }
    return { label: `${year}-${String(mm + 1).padStart(2, "0")}`, read, bill };
  });
}

// --- Loading the utility. -----------------------------------------------------------------------------------------

/** The agreements in force at some time from `from` to `today`, by service point and start. */
export async function loadAgreements(ctx: Ctx, from: number, today: number): Promise<Agreement[]> {
  const rows = await ctx.database.rows<Record<string, unknown>>(
    ctx.db,
    sql`SELECT sa.id, sa.account_id, a.customer_class, a.status AS account_status, a.bill_cycle, sa.tariff_code,
               sa.start_date::text AS start_date, sa.end_date::text AS end_date, sa.service_point_id,
               coalesce(p.climate_zone, 4) AS climate_zone
        FROM service_agreements AS sa
        JOIN accounts AS a ON a.id = sa.account_id
        JOIN service_points AS sp ON sp.id = sa.service_point_id
        JOIN premises AS p ON p.id = sp.premise_id
        WHERE sa.status IN ('active', 'stopped') AND sa.start_date <= ${iso(today)}::date
          AND (sa.end_date IS NULL OR sa.end_date > ${iso(from)}::date)
          AND a.bill_cycle ~ '^(0[1-9]|1[0-9]|2[01])$'
        ORDER BY sa.service_point_id, sa.start_date, sa.id`,
  );
  return rows.map((r) => ({
    id: num(r.id),
    accountId: num(r.account_id),
    klass: String(r.customer_class),
    closed: r.account_status === "closed",
    cycle: Number(r.bill_cycle),
    tariff: String(r.tariff_code),
    start: dayOf(String(r.start_date)),
    end: r.end_date === null ? null : dayOf(String(r.end_date)),
    sp: num(r.service_point_id),
    zone: num(r.climate_zone),
  }));
}

/** Each service point's meters, in the order they were installed. */
export async function loadMeters(ctx: Ctx, sps: number[], seed: number): Promise<Map<number, Meter[]>> {
  const rows = await ctx.database.rows<Record<string, unknown>>(
    ctx.db,
    sql`SELECT mi.service_point_id, mi.meter_id, mi.installed_on::text AS installed_on, m.kind,
               m.multiplier::text AS multiplier,
               coalesce((SELECT g.dials FROM meter_registers AS g WHERE g.meter_id = m.id AND g.unit = 'kWh'
                         ORDER BY (g.tou_period IS NOT NULL), g.id LIMIT 1), 5) AS dials,
               EXISTS (SELECT 1 FROM meter_registers AS g WHERE g.meter_id = m.id AND g.unit = 'kW') AS demand
        FROM meter_installations AS mi JOIN meters AS m ON m.id = mi.meter_id
        WHERE mi.service_point_id = ANY(${sql.param(sps)}::int8[])
        ORDER BY mi.service_point_id, mi.installed_on, mi.id`,
  );
  const out = new Map<number, Meter[]>();
  for (const r of rows) {
    const id = num(r.meter_id);
    const sp = num(r.service_point_id);
    const dials = 10 ** Math.min(num(r.dials), 9);
    const meter: Meter = {
      id,
      sp,
      from: dayOf(String(r.installed_on)),
      interval: r.kind === "interval",
      // Multipliers are whole (CT ratios); a fractional one is read as the nearest whole.
      mult: Math.max(1, Math.round(Number(r.multiplier))),
      wrap: dials * 1000,
      demand: r.demand === true,
      base: Math.floor(unit(seed, id, 3) * dials) * 1000,
    };
    out.set(sp, [...(out.get(sp) ?? []), meter]);
  }
  return out;
}

// --- The plan: which reads are taken, which intervals recorded, whose usage spikes and which reads go missing. ----

export interface Plan {
  events: ReadEvent[];
  /** Interval meters' days of hourly data (after `from`, through `to`), with the shape of a day. */
  intervals: { meter: Meter; from: number; to: number; shape: number[] }[];
  usage: Map<number, Usage>;
  unpriceable: number;
}

const SPIKE_SHARE = 0.004;
const MISSING_SHARE = 0.012;

/** Which reads the meters give and when, which interval days they record, whose use spikes, which reads go missing. */
export function plan(
  seed: number,
  today: number,
  rounds: Round[],
  agreements: Agreement[],
  meters: Map<number, Meter[]>,
  tou: Set<string>,
): Plan {
  const events: ReadEvent[] = [];
  const intervals: Plan["intervals"] = [];
  const usage = new Map<number, Usage>();
  let unpriceable = 0;
  const bySp = new Map<number, Agreement[]>();
  for (const sa of agreements) bySp.set(sa.sp, [...(bySp.get(sa.sp) ?? []), sa]);
  const last = rounds.length - 1;
  // Whether a day falls after a cycle's read and on or before its bill run. A read there closing an agreement that
  // another follows on the same service point (a rate change) would be counted again by the new agreement's first bill.
  const inRunGap = (day: number, c: number) =>
    rounds.some((r, k) => k > 0 && r.bill[c]! <= today && day > r.read[c]! && day <= r.bill[c]!);

  for (const [sp, sas] of bySp) {
    const installed = meters.get(sp) ?? [];
    const meterOn = (day: number) => installed.filter((m) => m.from <= day).at(-1);
    const latest = sas.at(-1)!;
    const season = seasonOf(latest.klass, latest.zone);
    const scale = usageScale(new Rng(streamSeed(seed, latest.accountId, 11)), latest.klass, latest.tariff);
    const monthly = Math.min(
      (MEDIAN_KWH[latest.klass] ?? 520) * scale,
      PEAK_MONTH_CAP(latest.klass) / Math.max(...season),
    );
    const u: Usage = {
      kwhPerDay: monthly / 30,
      season,
      weekend: latest.klass === "residential" ? 1.1 : latest.klass === "agricultural" ? 1 : 0.6,
      spike: null,
    };
    usage.set(sp, u);
    // The bill run prices time of use from interval data only: an agreement on a register meter would be held as
    // "cannot price" every month (and a read taken there for an earlier agreement would have the run estimate its
    // reads from then on), so a service point whose time-of-use agreement has a register meter in the history is left
    // unread, and unbilled.
    const latestFrom =
      latest.start <= rounds[0]!.read[latest.cycle]! ? rounds[0]!.read[latest.cycle]! : latest.start - 1;
    const latestEnd = Math.min(latest.end ?? today, today);
    const latestMeters = installed.filter(
      (m) => m.from <= latestEnd && (m === meterOn(latestFrom) || m.from > latestFrom),
    );
    if (tou.has(latest.tariff) && (latestMeters.length === 0 || latestMeters.some((m) => !m.interval))) {
      unpriceable++;
      continue;
    }
    for (const [i, sa] of sas.entries()) {
      const c = sa.cycle;
      const end = Math.min(sa.end ?? today, today);
      const prev = sas[i - 1];
      const next = sas[i + 1];
      const continues = prev !== undefined && prev.end !== null && prev.end >= sa.start - 1;
      const base = rounds[0]!.read[c]!;
      const opening = sa.start <= base ? base : continues ? null : sa.start - 1;
      const after = opening ?? sa.start - 1;
      if (after >= end) continue;
      const touSa = tou.has(sa.tariff);
      const priced = (m: Meter | undefined): m is Meter => m !== undefined && (!touSa || m.interval);
      const days = new Map<number, "opening" | "cycle" | "final" | "exchange">();
      if (opening !== null) days.set(opening, "opening");
      for (let r = 1; r <= last; r++) {
        const read = rounds[r]!.read[c]!;
        if (read > after && read <= end) days.set(read, "cycle");
      }
      const closes = sa.end !== null && sa.end <= today;
      if (closes && !(next && next.start <= sa.end! + 1 && inRunGap(sa.end!, c)) && !days.has(sa.end!))
        days.set(sa.end!, "final");
      for (const m of installed) if (m.from > after && m.from <= end) days.set(m.from, "exchange");
      for (const day of [...days.keys()].sort((a, b) => a - b)) {
        const kind = days.get(day)!;
        const add = (meter: Meter | undefined, opening: boolean) => {
          if (priced(meter)) events.push({ meter, sa, day, opening, cycleRead: kind === "cycle", missing: false });
        };
        // A meter exchange: the old meter's last read and the new one's first, on the same day.
        if (kind === "exchange") add(installed.filter((m) => m.from < day).at(-1), false);
        add(meterOn(day), kind === "opening" || kind === "exchange");
      }
      if (!touSa) continue;
      const shape = sa.tariff === "EV2-A" ? SHAPES.ev : sa.klass === "residential" ? SHAPES.home : SHAPES.business;
      for (const [k, meter] of installed.entries()) {
        if (!meter.interval) continue;
        const from = Math.max(after, meter.from);
        const to = Math.min(end, installed[k + 1]?.from ?? end);
        if (to > from) intervals.push({ meter, from, to, shape });
      }
    }
    // A few customers use several times their usual in their latest billed month: the run holds those bills.
    if (latest.end === null && !tou.has(latest.tariff) && unit(seed, sp, 7) < SPIKE_SHARE) {
      const c = latest.cycle;
      const r = [...rounds.keys()].filter((k) => k >= 4 && rounds[k]!.bill[c]! <= today).at(-1);
      if (r !== undefined)
        u.spike = { from: rounds[r - 1]!.read[c]!, to: rounds[r]!.read[c]!, factor: 4 + unit(seed, sp, 8) * 2 };
    }
  }
  events.sort((a, b) => a.day - b.day || a.meter.id - b.meter.id || Number(a.opening) - Number(b.opening));
  // One read per meter and day; the first a meter gets here is its opening read.
  const seen = new Set<string>();
  const byMeter = new Map<number, ReadEvent[]>();
  const kept = events.filter((e) => {
    const key = `${e.meter.id}:${e.day}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const list = byMeter.get(e.meter.id) ?? [];
    if (list.length === 0) e.opening = true;
    list.push(e);
    byMeter.set(e.meter.id, list);
    return true;
  });
  // Now and then a register meter is not read: the bill run estimates the read. Never two months running, never
  // in the first months (an estimate needs history), and only between two plain monthly reads.
  const early = (e: ReadEvent) => e.day <= rounds[Math.min(5, last)]!.read[e.sa.cycle]!;
  for (const list of byMeter.values()) {
    for (let i = 1; i < list.length - 1; i++) {
      const e = list[i]!;
      if (e.meter.interval || !e.cycleRead || e.sa.end !== null || early(e) || usage.get(e.meter.sp)!.spike) continue;
      if (list[i - 1]!.missing || !list[i - 1]!.cycleRead || !list[i + 1]!.cycleRead) continue;
      e.missing = unit(seed, e.meter.id, e.day) < MISSING_SHARE;
    }
  }
  return { events: kept, intervals, usage, unpriceable };
}
