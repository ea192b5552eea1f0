import { Decimal } from "decimal.js";
import { and, asc, desc, eq, gte, inArray, lte, ne, or, sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { accounts, requireAccount } from "../accounts/index.js";
import { billSegments, bills } from "./schema.js";

/** One line of a bill as the rate engine priced it. */
export interface BillLine {
  description: string;
  quantity: string;
  unit: string;
  price: string;
  amount_cents: number;
  kind: string;
  rule: string;
}

/** A register read at one end of a billed period. */
export interface BillRead {
  id?: number;
  read_on: string;
  reading: string;
  kind: string;
}

/** What a bill billed of one service agreement: tariff, meter, reads, usage and lines. */
export interface BillAgreement {
  sa_id: number;
  tariff_code: string;
  tariff_name?: string;
  versions?: string[];
  meter_number?: string | null;
  multiplier?: string;
  period: { from: string; to: string };
  days?: number;
  reads?: { start: BillRead | null; end: BillRead | null };
  kwh: string;
  estimated?: boolean;
  territory?: string | null;
  programs?: string[];
  lines: BillLine[];
  total_cents: number;
}

/** bills.detail, as the bill run writes it: what the document prints. */
export interface BillDetail {
  service_address?: string;
  mailing?: { name: string; lines: string[] };
  agreements: BillAgreement[];
  messages?: string[];
}

/** What a bill billed of one service agreement, as bill_segments keeps it. */
export interface BillSegmentView {
  service_agreement_id: number;
  period_from: string;
  period_to: string;
  kwh: string;
  end_read_id: number | null;
  estimated: boolean;
  active: boolean;
}

/** A bill in an account's list. */
export interface BillSummary {
  id: number;
  run_id: number | null;
  bill_date: string;
  period_from: string;
  period_to: string;
  mail_date: string;
  due_date: string;
  /** issued | held | cancelled */
  status: string;
  kwh: string;
  estimated: boolean;
  /** This bill's charges. */
  total_cents: bigint;
  /** What the customer owes with this bill. */
  amount_due_cents: bigint;
  /** Why a held bill is held (high_usage, consecutive_estimates, negative_usage, over_threshold). */
  exception: string | null;
  cancel_reason: string | null;
  /** The bill this one replaces, and the bill that replaced this one. */
  rebill_of: number | null;
  rebilled_by: number | null;
}

/** One bill with everything it printed. */
export interface BillView extends BillSummary {
  account_id: number;
  account_number: string;
  prior_balance_cents: bigint;
  payments_since_cents: bigint;
  exception_note: string | null;
  entry_id: number | null;
  cancel_entry_id: number | null;
  detail: BillDetail;
  segments: BillSegmentView[];
  created_at: string;
  version: number;
}

type BillRow = typeof bills.$inferSelect;

const summaryOf = (b: BillRow, rebilledBy: number | null): BillSummary => ({
  id: b.id,
  run_id: b.runId,
  bill_date: b.billDate,
  period_from: b.periodFrom,
  period_to: b.periodTo,
  mail_date: b.mailDate,
  due_date: b.dueDate,
  status: b.status,
  kwh: b.kwh,
  estimated: b.estimated,
  total_cents: b.totalCents,
  amount_due_cents: b.amountDueCents,
  exception: b.exception,
  cancel_reason: b.cancelReason,
  rebill_of: b.rebillOf,
  rebilled_by: rebilledBy,
});

/** Which bills replaced these (cancel and rebill): bill id -> the rebill's id. */
async function rebillsOf(ctx: Ctx, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: bills.id, of: bills.rebillOf })
    .from(bills)
    .where(inArray(bills.rebillOf, ids))
    .orderBy(asc(bills.id));
  return new Map(rows.map((r) => [r.of!, r.id]));
}

/** The bill row (404 naming `field` when there is none). */
export async function requireBill(ctx: Ctx, id: number, field = "id"): Promise<BillRow> {
  const [row] = await ctx.db.select().from(bills).where(eq(bills.id, id));
  if (!row) throw notFound(`bill ${id}`, field);
  return row;
}

/** One bill as the API shows it: amounts, status, what it billed of each agreement (detail) and its segments. */
export async function billView(ctx: Ctx, billId: number): Promise<BillView> {
  const b = await requireBill(ctx, billId);
  const [account] = await ctx.db
    .select({ number: accounts.accountNumber })
    .from(accounts)
    .where(eq(accounts.id, b.accountId));
  const segments = await ctx.db
    .select()
    .from(billSegments)
    .where(eq(billSegments.billId, billId))
    .orderBy(asc(billSegments.serviceAgreementId));
  const rebills = await rebillsOf(ctx, [billId]);
  return {
    ...summaryOf(b, rebills.get(billId) ?? null),
    account_id: b.accountId,
    account_number: account!.number,
    prior_balance_cents: b.priorBalanceCents,
    payments_since_cents: b.paymentsSinceCents,
    exception_note: b.exceptionNote,
    entry_id: b.entryId,
    cancel_entry_id: b.cancelEntryId,
    detail: b.detail as BillDetail,
    segments: segments.map((s) => ({
      service_agreement_id: s.serviceAgreementId,
      period_from: s.periodFrom,
      period_to: s.periodTo,
      kwh: s.kwh,
      end_read_id: s.endReadId,
      estimated: s.estimated,
      active: s.active,
    })),
    created_at: isoInstant(b.createdAt),
    version: b.version,
  };
}

/**
 * The account's bills, newest first (by bill date, then id), held and cancelled ones included, a page at a time:
 * `before` is the `next_cursor` of the page before (the id of its last bill; keyset paging, so bills written
 * meanwhile neither shift nor repeat a page).
 */
export async function accountBills(
  ctx: Ctx,
  accountId: number,
  opts: { limit: number; before?: number },
): Promise<{ account_id: number; bills: BillSummary[]; next_cursor: number | null }> {
  await requireAccount(ctx.db, accountId);
  const after = opts.before
    ? sql`(${bills.billDate}, ${bills.id}) < (SELECT c.bill_date, c.id FROM bills c WHERE c.id = ${opts.before})`
    : undefined;
  const rows = await ctx.db
    .select()
    .from(bills)
    .where(and(eq(bills.accountId, accountId), after))
    .orderBy(desc(bills.billDate), desc(bills.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const rebills = await rebillsOf(
    ctx,
    page.map((b) => b.id),
  );
  return {
    account_id: accountId,
    bills: page.map((b) => summaryOf(b, rebills.get(b.id) ?? null)),
    next_cursor: rows.length > opts.limit ? page[page.length - 1]!.id : null,
  };
}

/** One month of the usage history: kWh billed in bills whose period ended in it (null: no bill). */
export interface UsageMonth {
  /** YYYY-MM */
  month: string;
  kwh: string | null;
  /** Days billed (the daily average is kwh / days). */
  days: number;
  /** The month of the bill the history is drawn for. */
  current: boolean;
}

const daysOf = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days + 1;

/**
 * The 13 months of use a bill shows: the month its period ends in and the twelve before, each with the kWh of the
 * account's issued bills whose period ended in that month (this bill counted whatever its status). Bills dated
 * after this one are left out, so a bill prints the same history later (but for bills cancelled since).
 */
export async function usageHistory(
  ctx: Ctx,
  bill: Pick<BillView, "id" | "account_id" | "bill_date" | "period_to">,
): Promise<UsageMonth[]> {
  const last = Temporal.PlainYearMonth.from(bill.period_to.slice(0, 7));
  const first = last.subtract({ months: 12 });
  const rows = await ctx.db
    .select({ id: bills.id, from: bills.periodFrom, to: bills.periodTo, kwh: bills.kwh })
    .from(bills)
    .where(
      and(
        eq(bills.accountId, bill.account_id),
        or(eq(bills.id, bill.id), and(eq(bills.status, "issued"), lte(bills.billDate, bill.bill_date))),
        gte(bills.periodTo, first.toPlainDate({ day: 1 }).toString()),
        lte(bills.periodTo, last.toPlainDate({ day: last.daysInMonth }).toString()),
        // A later rebill of this bill (issued after it) is not part of this bill's history.
        or(eq(bills.id, bill.id), ne(bills.rebillOf, bill.id), sql`${bills.rebillOf} IS NULL`),
      ),
    );
  const months: UsageMonth[] = [];
  for (let m = first; Temporal.PlainYearMonth.compare(m, last) <= 0; m = m.add({ months: 1 })) {
    const key = m.toString();
    const of = rows.filter((r) => r.to.slice(0, 7) === key);
    months.push({
      month: key,
      kwh: of.length ? of.reduce((sum, r) => sum.plus(r.kwh), new Decimal(0)).toString() : null,
      days: of.reduce((sum, r) => sum + daysOf(r.from, r.to), 0),
      current: key === last.toString(),
    });
  }
  return months;
}
