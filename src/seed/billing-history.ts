import { sql } from "drizzle-orm";
import { zoneOffsets } from "../core/rates/calendar.js";
import { runBills } from "../modules/billing/index.js";
import { loadTariff } from "../modules/rates/index.js";
import { fixedClock } from "../platform/clock.js";
import { type Ctx, systemActor } from "../platform/context.js";
import { type Dial, takeEstimates, writeIntervals, writeReads } from "./billing-history-meters.js";
import { PaymentBook } from "./billing-history-payments.js";
import {
  cents,
  grouped,
  loadAgreements,
  loadMeters,
  num,
  plan,
  type ReadEvent,
  roundsOf,
} from "./billing-history-plan.js";
import { dayOf, iso } from "./dates.js";

/**
 * The demo utility's billing history, made by the processes a utility runs: every month its meters are read on their
 * cycle's read day (register reads, and hourly interval days for time-of-use agreements on interval meters), each
 * cycle is billed by the real bill run on the weekday after its read, and customers pay between bills through the
 * set-based payments path. Oldest month first, so every bill sees the balances, payments and usage history its run
 * would have seen. Deterministic: the same seed and business date give the same history.
 */

export interface BillingHistoryOptions {
  /** Months of history ending at the business date (default 24). */
  months?: number;
  /** The run seed: the same seed and business date give the same history. */
  seed: number;
  /** Told one line a month as the history is made. */
  progress?: (message: string) => void;
}

export interface BillingHistoryResult {
  months: number;
  runs: number;
  /** Bills the runs made: issued, and held for review. */
  bills: number;
  held: number;
  /** Bills on a read the run estimated. */
  estimated: number;
  reads: number;
  interval_days: number;
  payments: number;
  payment_cents: bigint;
  /** Service points with a time-of-use agreement on a register meter: left unread, as the bill run cannot price them. */
  tou_on_register: number;
  seconds: number;
}

/**
 * The tariffs that price by time of use (the bill run prices them from interval data only), and the first day all the
 * tariffs have prices for.
 */
async function tariffFacts(ctx: Ctx, codes: string[]): Promise<{ tou: Set<string>; pricedFrom: number }> {
  const tou = new Set<string>();
  let pricedFrom = 0;
  for (const code of codes) {
    const tariff = await loadTariff(ctx.db, code).catch(() => null);
    if (tariff?.hasTimeOfUse) tou.add(code);
    const first = tariff?.versions[0]?.effectiveFrom;
    if (first) pricedFrom = Math.max(pricedFrom, dayOf(first));
  }
  return { tou, pricedFrom };
}

/** The tables the history writes rows into, whose planner statistics it keeps fresh. */
const TABLES_WRITTEN = [
  "meter_reads",
  "bill_runs",
  "bills",
  "bill_segments",
  "journal_entries",
  "journal_postings",
  "receivable_items",
  "receivable_credits",
  "receivable_matches",
  "account_balances",
  "payments",
  "payment_tenders",
  "payment_lines",
];

/**
 * Gives the utility `months` of meter reads and bills made by its bill runs, month by month up to the business date,
 * with the payments customers made between them. For a utility never billed (seeded without the synthetic money
 * history); the same seed and business date give the same history.
 */
export async function seedBillingHistory(ctx: Ctx, opts: BillingHistoryOptions): Promise<BillingHistoryResult> {
  const started = performance.now();
  const asked = opts.months ?? 24;
  if (!Number.isInteger(asked) || asked < 1 || asked > 120)
    throw new RangeError(`months: a whole number from 1 to 120, not ${asked}`);
  const seed = opts.seed >>> 0;
  const say = opts.progress ?? (() => {});
  const today = dayOf(ctx.clock.today().toString());
  const [billed] = await ctx.database.rows(
    ctx.db,
    sql`SELECT 1 AS one FROM bill_runs UNION ALL SELECT 1 FROM meter_reads UNION ALL SELECT 1 FROM interval_days LIMIT 1`,
  );
  if (billed)
    throw new Error("the utility has bills or reads already: a billing history is for one never read or billed");
  // The embedded engine has no autovacuum: what is bulk-written is vacuumed too (see seed.ts).
  const tidy = ctx.database.engine === "pglite" ? "VACUUM (ANALYZE)" : "ANALYZE";

  const codes = await ctx.database.rows<{ code: string }>(
    ctx.db,
    sql`SELECT DISTINCT tariff_code AS code FROM service_agreements WHERE status IN ('active', 'stopped') ORDER BY 1`,
  );
  const { tou, pricedFrom } = await tariffFacts(
    ctx,
    codes.map((c) => c.code),
  );
  // No further back than the tariff book has prices for.
  let months = asked;
  while (months > 1 && Math.min(...roundsOf(today, months)[0]!.read.slice(1)) < pricedFrom) months--;
  const rounds = roundsOf(today, months);
  const agreements = await loadAgreements(ctx, Math.min(...rounds[0]!.read.slice(1)), today);
  const meters = await loadMeters(ctx, [...new Set(agreements.map((a) => a.sp))], seed);
  const meterById = new Map([...meters.values()].flat().map((m) => [m.id, m]));
  const p = plan(seed, today, rounds, agreements, meters, tou);
  // Interval data is only read for the periods a run bills, so all of it goes in first.
  const intervalDays = await writeIntervals(ctx, seed, p);
  await ctx.db.execute(sql.raw(`${tidy} interval_days`));
  say(
    `billing history: ${months} months to ${iso(today)}; ${grouped(p.events.length)} meter reads planned, ` +
      `${grouped(intervalDays)} days of hourly interval data written`,
  );

  // Reads go in a month at a time, before that month's runs: a read the bill run finds missing it estimates, and the
  // next month's usage is counted from the estimate.
  const readsByRound: ReadEvent[][] = rounds.map(() => []);
  for (const e of p.events) {
    const k = rounds.findIndex((r) => e.day <= r.read[21]!);
    readsByRound[k < 0 ? months : k]!.push(e);
  }
  const cycles = (
    await ctx.database.rows<{ cycle: string }>(
      ctx.db,
      sql`SELECT DISTINCT bill_cycle AS cycle FROM accounts WHERE bill_cycle ~ '^(0[1-9]|1[0-9]|2[01])$' ORDER BY 1`,
    )
  ).map((r) => Number(r.cycle));
  const runs = rounds
    .flatMap((r, k) =>
      k === 0 ? [] : cycles.filter((c) => r.bill[c]! <= today).map((c) => ({ k, c, day: r.bill[c]! })),
    )
    // Month by month: a cycle read late in one month can share its bill day with the next month's first cycles.
    .sort((a, b) => a.k - b.k || a.day - b.day || a.c - b.c);

  const zone = zoneOffsets(ctx.clock.timezone);
  /** The context of a service call on a day (noon there), as the named actor. */
  const at = (day: number, actor: string): Ctx => ({
    ...ctx,
    clock: fixedClock(new Date(zone.startOfDay(day) + 12 * 3_600_000).toISOString(), ctx.clock.timezone),
    actor: systemActor(actor),
    requestId: `seed-history:${seed}`,
  });
  const closedOn = new Map<number, number>();
  for (const a of agreements)
    if (a.closed && a.end !== null) closedOn.set(a.accountId, Math.max(a.end, closedOn.get(a.accountId) ?? 0));
  const book = new PaymentBook({
    seed,
    today,
    klass: new Map(agreements.map((a) => [a.accountId, a.klass])),
    closedOn,
    billDays: (cycle) => runs.filter((r) => r.c === cycle).map((r) => r.day),
    at,
  });

  const total = { runs: 0, bills: 0, held: 0, estimated: 0, reads: 0, payments: 0, cents: 0n };
  let month = { runs: 0, bills: 0, held: 0, estimated: 0, payments: 0 };
  const postBefore = async (until: number) => {
    const posted = await book.postBefore(until);
    month.payments += posted.count;
    total.payments += posted.count;
    total.cents += posted.cents;
  };
  const dials = new Map<number, Dial>();
  let estimateId = 0;
  let inserted = -1;
  const readsThrough = async (k: number) => {
    while (inserted < k) {
      inserted++;
      estimateId = await takeEstimates(ctx, dials, meterById, estimateId);
      total.reads += await writeReads(ctx, seed, p, dials, readsByRound[inserted]!);
    }
  };

  for (const [i, run] of runs.entries()) {
    await postBefore(run.day);
    await readsThrough(run.k);
    const view = await runBills(at(run.day, "billing"), {
      cycle: String(run.c).padStart(2, "0"),
      bill_date: iso(run.day),
    });
    const bills = await ctx.database.rows<Record<string, unknown>>(
      ctx.db,
      sql`SELECT id, account_id, status, estimated, amount_due_cents, due_date::text AS due_date,
                 period_to::text AS period_to
          FROM bills WHERE run_id = ${view.id}::int8 ORDER BY account_id`,
    );
    for (const b of bills) {
      if (b.estimated === true) month.estimated++;
      if (b.status !== "issued") continue;
      book.decide({
        id: num(b.id),
        accountId: num(b.account_id),
        cycle: run.c,
        day: run.day,
        due: dayOf(String(b.due_date)),
        to: dayOf(String(b.period_to)),
        owed: cents(b.amount_due_cents),
      });
    }
    month.runs++;
    month.bills += view.billed + view.held;
    month.held += view.held;
    if (runs[i + 1]?.k !== run.k) {
      say(
        `billing history ${rounds[run.k]!.label}: ${month.runs} bill runs, ${grouped(month.bills)} bills ` +
          `(${month.held} held, ${month.estimated} estimated), ${grouped(month.payments)} payments`,
      );
      total.runs += month.runs;
      total.bills += month.bills;
      total.held += month.held;
      total.estimated += month.estimated;
      month = { runs: 0, bills: 0, held: 0, estimated: 0, payments: 0 };
    }
    // The tables grow from empty, and the embedded engine has no autovacuum: the planner is told their size each time
    // it doubles, or the ledger's writes scan what they should look up.
    if ((i & (i + 1)) === 0) for (const table of TABLES_WRITTEN) await ctx.db.execute(sql.raw(`ANALYZE ${table}`));
  }
  await postBefore(today + 1);
  await readsThrough(months);

  for (const table of TABLES_WRITTEN) await ctx.db.execute(sql.raw(`${tidy} ${table}`));
  return {
    months,
    runs: total.runs,
    bills: total.bills,
    held: total.held,
    estimated: total.estimated,
    reads: total.reads,
    interval_days: intervalDays,
    payments: total.payments,
    payment_cents: total.cents,
    tou_on_register: p.unpriceable,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
