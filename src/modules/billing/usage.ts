/**
 * An account's usage as the account view charts it: 24 months of billed kWh (issued bills' segments, by the month
 * each billed period ended in, as the bill document's chart counts them), and for interval meters the kWh of each
 * of the last 60 days with interval data. Reads only.
 */
import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { requireAccount } from "../accounts/index.js";

/** One month of billed usage (null kWh: nothing billed that ended in the month). */
export interface UsageMonthView {
  /** YYYY-MM */
  month: string;
  kwh: string | null;
  /** Days billed in the periods that ended in the month. */
  days: number;
  /** kWh a day over those days, two decimals. */
  kwh_per_day: string | null;
  /** Whether any of it came from an estimated read. */
  estimated: boolean;
  /** The bills whose periods ended in the month. */
  bill_ids: number[];
}

/** One day of interval data: the kWh of the account's interval meters (null: no readings that day). */
export interface UsageDay {
  day: string;
  kwh: string | null;
  /** false when some of the day's readings are missing (the kWh counts those there are). */
  complete: boolean;
}

export interface AccountUsage {
  account_id: number;
  /** The 24 months, oldest first, ending with the month of the latest billed period (this month with none). */
  months: UsageMonthView[];
  /** kWh of the 24 months, and the days billed in them. */
  total_kwh: string;
  days: number;
  /** The last 60 days up to the latest day of interval data, oldest first; null for an account without any. */
  daily: { from: string; to: string; days: UsageDay[] } | null;
}

const MONTHS = 24;
const DAILY_DAYS = 60;

const daysOf = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days + 1;

/** The account's billed usage by month for 24 months, and daily interval kWh for the last 60 days if there are any. */
export async function accountUsage(ctx: Ctx, accountId: number): Promise<AccountUsage> {
  await requireAccount(ctx.db, accountId);
  const today = ctx.clock.today();
  const [latest] = await ctx.database.rows<{ to: string | null }>(
    ctx.db,
    sql`SELECT max(s.period_to)::text AS "to" FROM bill_segments AS s JOIN bills AS b ON b.id = s.bill_id
        WHERE s.account_id = ${accountId} AND s.active AND b.status = 'issued'`,
  );
  const last = Temporal.PlainYearMonth.from((latest?.to ?? today.toString()).slice(0, 7));
  const first = last.subtract({ months: MONTHS - 1 });
  const segments = await ctx.database.rows<{
    bill_id: number;
    from: string;
    to: string;
    kwh: string;
    estimated: boolean;
  }>(
    ctx.db,
    sql`SELECT s.bill_id::int8 AS bill_id, s.period_from::text AS "from", s.period_to::text AS "to", s.kwh::text AS kwh,
               s.estimated
        FROM bill_segments AS s JOIN bills AS b ON b.id = s.bill_id
        WHERE s.account_id = ${accountId} AND s.active AND b.status = 'issued'
          AND s.period_to >= ${first.toPlainDate({ day: 1 }).toString()}::date
          AND s.period_to <= ${last.toPlainDate({ day: last.daysInMonth }).toString()}::date
        ORDER BY s.period_to, s.bill_id`,
  );
  const months: UsageMonthView[] = [];
  let total = new Decimal(0);
  let billedDays = 0;
  for (let m = first; Temporal.PlainYearMonth.compare(m, last) <= 0; m = m.add({ months: 1 })) {
    const key = m.toString();
    const of = segments.filter((s) => s.to.slice(0, 7) === key);
    if (of.length === 0) {
      months.push({ month: key, kwh: null, days: 0, kwh_per_day: null, estimated: false, bill_ids: [] });
      continue;
    }
    const kwh = of.reduce((sum, s) => sum.plus(s.kwh), new Decimal(0));
    // Several agreements billed over the same days count those days once.
    const bills = [...new Set(of.map((s) => Number(s.bill_id)))];
    const days = bills.reduce((sum, id) => {
      const own = of.filter((s) => Number(s.bill_id) === id);
      const from = own.map((s) => s.from).sort()[0]!;
      const to = own.map((s) => s.to).sort()[own.length - 1]!;
      return sum + daysOf(from, to);
    }, 0);
    total = total.plus(kwh);
    billedDays += days;
    months.push({
      month: key,
      kwh: kwh.toString(),
      days,
      kwh_per_day: days > 0 ? kwh.div(days).toFixed(2) : null,
      estimated: of.some((s) => s.estimated),
      bill_ids: bills,
    });
  }
  return {
    account_id: accountId,
    months,
    total_kwh: total.toString(),
    days: billedDays,
    daily: await dailyUsage(ctx, accountId, today.toString()),
  };
}

/**
 * The account's interval kWh for the 60 days up to the latest day with readings (not after today): the meters
 * installed at the account's service points, on the days both the installation and the agreement were in force.
 */
async function dailyUsage(ctx: Ctx, accountId: number, today: string): Promise<AccountUsage["daily"]> {
  const meterDays = sql`
    SELECT DISTINCT d.meter_id, d.day, d.wh
    FROM service_agreements AS sa
    JOIN meter_installations AS mi ON mi.service_point_id = sa.service_point_id
    JOIN interval_days AS d ON d.meter_id = mi.meter_id
      AND d.day >= mi.installed_on AND (mi.removed_on IS NULL OR d.day <= mi.removed_on)
      AND d.day >= sa.start_date AND (sa.end_date IS NULL OR d.day <= sa.end_date)
    WHERE sa.account_id = ${accountId} AND d.day <= ${today}::date`;
  const [latest] = await ctx.database.rows<{ day: string | null }>(
    ctx.db,
    sql`SELECT max(m.day)::text AS day FROM (${meterDays}) AS m`,
  );
  if (!latest?.day) return null;
  const to = Temporal.PlainDate.from(latest.day);
  const from = to.subtract({ days: DAILY_DAYS - 1 });
  const rows = await ctx.database.rows<{ day: string; wh: string | null; missing: string | number }>(
    ctx.db,
    sql`SELECT m.day::text AS day,
               sum((SELECT sum(x) FROM unnest(m.wh) AS x))::text AS wh,
               sum((SELECT count(*) FROM unnest(m.wh) AS x WHERE x IS NULL))::int4 AS missing
        FROM (${meterDays}) AS m
        WHERE m.day >= ${from.toString()}::date
        GROUP BY m.day ORDER BY m.day`,
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days: UsageDay[] = [];
  for (let d = from; Temporal.PlainDate.compare(d, to) <= 0; d = d.add({ days: 1 })) {
    const r = byDay.get(d.toString());
    days.push({
      day: d.toString(),
      kwh: r && r.wh !== null ? new Decimal(r.wh).div(1000).toString() : null,
      complete: r !== undefined && Number(r.missing) === 0,
    });
  }
  return { from: from.toString(), to: to.toString(), days };
}
