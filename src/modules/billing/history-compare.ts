/**
 * The rate comparison on an account's own history: the usage its issued bills billed over the last 12 months
 * (bill segments, one period per bill, with the demand read at its end) priced under every tariff of the account's
 * sector, with the customer's baseline territory and programs, by the rates module's comparison. Each tariff's
 * total, what it would save against the current tariff, and that saving over a year. Reads only.
 */
import { Decimal } from "decimal.js";
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { requireAccount } from "../accounts/index.js";
import { type CompareInput, compareTariffs, SECTORS } from "../rates/index.js";
import { dateWords, kwhWords, usd } from "./explain.js";

/** One billed period compared. */
export interface ComparedPeriod {
  bill_id: number;
  from: string;
  to: string;
  kwh: string;
  demand_kw: string | null;
}

/** One tariff's price for the account's year. */
export interface AccountComparisonRow {
  tariff_code: string;
  name: string;
  /** The periods compared, priced on this tariff. */
  total_cents: bigint;
  months: { from: string; to: string; total_cents: bigint }[];
  /** intervals | register | load_shape (monthly kWh spread over the hours by a standard day) */
  basis: string;
  /** The account's tariff now. */
  current: boolean;
  /** This tariff's total less the current tariff's (negative: cheaper); null when the current one was not priced. */
  difference_cents: bigint | null;
  /** What it saves a year against the current tariff (the difference scaled to 365 days; negative: costs more). */
  savings_per_year_cents: bigint | null;
}

export interface AccountRateComparison {
  account_id: number;
  sector: string;
  territory: string | null;
  programs: string[];
  current_tariff: string | null;
  /** The periods compared: the issued bills whose period ended in the 12 months up to the latest one. */
  periods: ComparedPeriod[];
  from: string | null;
  to: string | null;
  days: number;
  kwh: string;
  /** Cheapest first. */
  rows: AccountComparisonRow[];
  /** Tariffs that could not price the usage, with why. */
  refused: { tariff_code: string; reason: string }[];
  /** In a sentence a CSR can read out. */
  summary: string;
}

const daysOf = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days + 1;

const sectorOf = (value: string | null | undefined) => {
  const s = value === "street_lighting" ? "lighting" : value;
  return (SECTORS as readonly string[]).includes(s ?? "") ? (s as (typeof SECTORS)[number]) : null;
};

/** Per year: cents over `days` scaled to 365, rounded half up. */
const perYear = (cents: bigint, days: number) =>
  BigInt(new Decimal(cents.toString()).times(365).div(days).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));

/** Compares the account's last 12 months of billed usage on every tariff of its sector. */
export async function compareAccountRates(ctx: Ctx, accountId: number): Promise<AccountRateComparison> {
  const account = await requireAccount(ctx.db, accountId);
  const today = ctx.clock.today().toString();
  const [agreement] = await ctx.database.rows<{ tariff_code: string; territory: string | null; sector: string | null }>(
    ctx.db,
    sql`SELECT sa.tariff_code, p.baseline_territory AS territory, t.sector
        FROM service_agreements AS sa
        JOIN service_points AS sp ON sp.id = sa.service_point_id
        JOIN premises AS p ON p.id = sp.premise_id
        LEFT JOIN tariffs AS t ON t.code = sa.tariff_code
        WHERE sa.account_id = ${accountId} AND sa.status IN ('active', 'stopped', 'pending')
        ORDER BY (sa.status = 'active') DESC, sa.start_date DESC, sa.id DESC
        LIMIT 1`,
  );
  const programs = (
    await ctx.database.rows<{ program: string }>(
      ctx.db,
      sql`SELECT DISTINCT program FROM enrolments
          WHERE account_id = ${accountId} AND effective_from <= ${today}::date
            AND (effective_to IS NULL OR effective_to >= ${today}::date)
          ORDER BY program`,
    )
  ).map((r) => r.program);
  const billed = await ctx.database.rows<{
    bill_id: string | number;
    from: string;
    to: string;
    kwh: string;
    demand_kw: string | null;
  }>(
    ctx.db,
    sql`SELECT b.id::int8 AS bill_id, min(s.period_from)::text AS "from", max(s.period_to)::text AS "to",
               sum(s.kwh)::text AS kwh, max(r.demand_kw)::text AS demand_kw
        FROM bill_segments AS s
        JOIN bills AS b ON b.id = s.bill_id
        LEFT JOIN meter_reads AS r ON r.id = s.end_read_id
        WHERE s.account_id = ${accountId} AND s.active AND b.status = 'issued'
        GROUP BY b.id
        ORDER BY max(s.period_to), b.id`,
  );
  const latest = billed.at(-1)?.to;
  const since = latest ? Temporal.PlainDate.from(latest).subtract({ months: 12 }).toString() : null;
  const periods: ComparedPeriod[] = billed
    .filter((b) => since !== null && b.to > since)
    .map((b) => ({ bill_id: Number(b.bill_id), from: b.from, to: b.to, kwh: b.kwh, demand_kw: b.demand_kw }));

  const sector = sectorOf(agreement?.sector) ?? sectorOf(account.customerClass) ?? "residential";
  const current = agreement?.tariff_code ?? null;
  const territory = agreement?.territory ?? null;
  const days = periods.reduce((s, p) => s + daysOf(p.from, p.to), 0);
  const kwh = periods.reduce((s, p) => s.plus(p.kwh), new Decimal(0)).toString();
  const base = {
    account_id: accountId,
    sector,
    territory,
    programs,
    current_tariff: current,
    periods,
    from: periods[0]?.from ?? null,
    to: periods.at(-1)?.to ?? null,
    days,
    kwh,
  };
  if (periods.length === 0) {
    return {
      ...base,
      rows: [],
      refused: [],
      summary: "There are no issued bills in the last 12 months to compare rates on.",
    };
  }

  const input: CompareInput = {
    sector,
    ...(territory ? { territory } : {}),
    care: programs.includes("care"),
    fera: programs.includes("fera"),
    medical_baseline: programs.includes("medical_baseline"),
    months: periods.map((p) => ({
      from: p.from,
      to: p.to,
      kwh: p.kwh,
      ...(p.demand_kw !== null ? { demand_kw: p.demand_kw } : {}),
    })),
  };
  const compared = await compareTariffs(ctx, input);
  const currentRow = compared.rows.find((r) => r.tariff_code === current);
  const currentTotal = currentRow ? BigInt(currentRow.total_cents) : null;
  const rows: AccountComparisonRow[] = compared.rows.map((r) => {
    const total = BigInt(r.total_cents);
    const difference = currentTotal === null ? null : total - currentTotal;
    return {
      tariff_code: r.tariff_code,
      name: r.name,
      total_cents: total,
      months: r.months.map((m) => ({ from: m.from, to: m.to, total_cents: BigInt(m.total_cents) })),
      basis: r.basis,
      current: r.tariff_code === current,
      difference_cents: difference,
      savings_per_year_cents: difference === null ? null : perYear(-difference, days),
    };
  });

  const span = `${kwhWords(kwh)} kWh from ${dateWords(base.from!)} to ${dateWords(base.to!)}`;
  const cheapest = rows[0];
  let summary: string;
  if (!cheapest) summary = `No tariff of the ${sector} sector could price this account's usage (${span}).`;
  else if (cheapest.current)
    summary = `${cheapest.tariff_code}, the current tariff, is the cheapest for this account's last 12 months of usage (${span}).`;
  else if (cheapest.savings_per_year_cents !== null)
    summary = `On this account's last 12 months of usage (${span}), ${cheapest.tariff_code} would have cost ${usd(cheapest.total_cents)}, ${usd(cheapest.savings_per_year_cents)} a year less than ${current}, the current tariff.`;
  else
    summary = `On this account's last 12 months of usage (${span}), the cheapest is ${cheapest.tariff_code} at ${usd(cheapest.total_cents)}${current ? `; the current tariff, ${current}, could not price it` : ""}.`;

  return { ...base, rows, refused: compared.refused, summary };
}
