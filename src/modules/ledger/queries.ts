import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { requireAccount } from "../accounts/index.js";
import { type MatchView, matchView } from "./clearing.js";
import { type CreditView, creditView, type ItemView, itemView } from "./receivables.js";
import { receivableCredits, receivableItems, receivableMatches } from "./schema.js";

/** What an account owes, by the business date: the contract of DESIGN.md ("Balances on an account"). */
export interface AccountBalances {
  account_id: number;
  as_of: string;
  /** All open items less unapplied credits; positive = the customer owes. */
  balance_cents: bigint;
  /** Open items already billed (with a due date) less unapplied credits. */
  amount_due_cents: bigint;
  /** Open items whose due date has passed. */
  past_due_cents: bigint;
  open_items_cents: bigint;
  /** Open items not yet billed (no due date). */
  unbilled_cents: bigint;
  unapplied_credit_cents: bigint;
  /** Open items by days past due; `current` holds those not yet due and those not yet billed. */
  aging: {
    current_cents: bigint;
    days_1_30_cents: bigint;
    days_31_60_cents: bigint;
    days_61_90_cents: bigint;
    days_91_plus_cents: bigint;
  };
}

/** The account's balance, amount due, past due and aging as of a business date (today by default). */
export async function accountBalances(ctx: Ctx, accountId: number, asOf?: string): Promise<AccountBalances> {
  await requireAccount(ctx.db, accountId);
  const day = asOf ?? ctx.clock.today().toString();
  const late = sql`(${day}::date - due_date)`;
  const [row] = await ctx.database.rows<Record<string, bigint>>(
    ctx.db,
    sql`SELECT
          coalesce(sum(open_cents), 0)::int8 AS open_items,
          coalesce(sum(open_cents) FILTER (WHERE due_date IS NULL), 0)::int8 AS unbilled,
          coalesce(sum(open_cents) FILTER (WHERE due_date IS NOT NULL), 0)::int8 AS billed,
          coalesce(sum(open_cents) FILTER (WHERE due_date IS NULL OR ${late} <= 0), 0)::int8 AS current,
          coalesce(sum(open_cents) FILTER (WHERE ${late} BETWEEN 1 AND 30), 0)::int8 AS d1_30,
          coalesce(sum(open_cents) FILTER (WHERE ${late} BETWEEN 31 AND 60), 0)::int8 AS d31_60,
          coalesce(sum(open_cents) FILTER (WHERE ${late} BETWEEN 61 AND 90), 0)::int8 AS d61_90,
          coalesce(sum(open_cents) FILTER (WHERE ${late} > 90), 0)::int8 AS d91,
          (SELECT coalesce(sum(open_cents), 0)::int8 FROM receivable_credits
            WHERE account_id = ${accountId} AND open_cents > 0) AS unapplied,
          (SELECT balance_cents FROM account_balances WHERE account_id = ${accountId}) AS cached
        FROM receivable_items WHERE account_id = ${accountId} AND open_cents > 0`,
  );
  const r = row!;
  const pastDue = r.d1_30! + r.d31_60! + r.d61_90! + r.d91!;
  return {
    account_id: accountId,
    as_of: day,
    // The cached balance (kilowatt ledger verify proves it equals open items less unapplied credits).
    balance_cents: r.cached ?? r.open_items! - r.unapplied!,
    amount_due_cents: r.billed! - r.unapplied!,
    past_due_cents: pastDue,
    open_items_cents: r.open_items!,
    unbilled_cents: r.unbilled!,
    unapplied_credit_cents: r.unapplied!,
    aging: {
      current_cents: r.current!,
      days_1_30_cents: r.d1_30!,
      days_31_60_cents: r.d31_60!,
      days_61_90_cents: r.d61_90!,
      days_91_plus_cents: r.d91!,
    },
  };
}

export interface AccountItems {
  account_id: number;
  items: (ItemView & { matches: MatchView[] })[];
  credits: (CreditView & { matches: MatchView[] })[];
}

/** The account's receivable items and credits (all, or only those still open), each with its clearings. */
export async function accountItems(
  ctx: Ctx,
  accountId: number,
  opts: { status?: "open" | "all" } = {},
): Promise<AccountItems> {
  await requireAccount(ctx.db, accountId);
  const openOnly = opts.status === "open";
  const items = await ctx.db
    .select()
    .from(receivableItems)
    .where(and(eq(receivableItems.accountId, accountId), openOnly ? gt(receivableItems.openCents, 0n) : undefined))
    .orderBy(asc(receivableItems.id));
  const credits = await ctx.db
    .select()
    .from(receivableCredits)
    .where(and(eq(receivableCredits.accountId, accountId), openOnly ? gt(receivableCredits.openCents, 0n) : undefined))
    .orderBy(asc(receivableCredits.id));
  const matches =
    items.length + credits.length === 0
      ? []
      : await ctx.db
          .select()
          .from(receivableMatches)
          .where(
            and(
              eq(receivableMatches.accountId, accountId),
              openOnly
                ? or(
                    items.length
                      ? inArray(
                          receivableMatches.itemId,
                          items.map((i) => i.id),
                        )
                      : undefined,
                    credits.length
                      ? inArray(
                          receivableMatches.creditId,
                          credits.map((c) => c.id),
                        )
                      : undefined,
                  )
                : undefined,
            ),
          )
          .orderBy(asc(receivableMatches.id));
  const views = matches.map(matchView);
  return {
    account_id: accountId,
    items: items.map((i) => ({ ...itemView(i), matches: views.filter((m) => m.item_id === i.id) })),
    credits: credits.map((c) => ({ ...creditView(c), matches: views.filter((m) => m.credit_id === c.id) })),
  };
}

/** One receivable or unapplied posting of an account, with the balance after its entry. */
export interface LedgerLine {
  posting_id: number;
  entry_id: number;
  kind: string;
  accounting_date: string;
  recorded_at: string;
  reference: string;
  description: string;
  reverses_entry_id: number | null;
  gl_account: string;
  item_id: number | null;
  credit_id: number | null;
  amount_cents: bigint;
  running_balance_cents: bigint;
}

/**
 * The account's subledger postings (the latest `limit`, oldest first), each with the running balance after its
 * entry: a clearing moves an amount from unapplied to receivable within one entry, so it leaves the balance as it was.
 */
export async function accountLedger(
  ctx: Ctx,
  accountId: number,
  limit = 200,
): Promise<{ account_id: number; postings: LedgerLine[]; complete: boolean }> {
  await requireAccount(ctx.db, accountId);
  const rows = await ctx.database.rows<Record<string, unknown>>(
    ctx.db,
    sql`SELECT * FROM (
          SELECT p.id AS posting_id, p.entry_id, e.kind, e.accounting_date, e.recorded_at, e.reference, e.description,
                 e.reverses_entry_id, p.gl_account, p.item_id, p.credit_id, p.amount_cents,
                 (sum(p.amount_cents) OVER (ORDER BY p.entry_id))::int8 AS running_balance_cents,
                 count(*) OVER ()::int8 AS total
          FROM journal_postings p
          JOIN journal_entries e ON e.id = p.entry_id
          JOIN gl_accounts g ON g.code = p.gl_account
          WHERE p.account_id = ${accountId} AND g.subledger IS NOT NULL
        ) lines ORDER BY entry_id DESC, posting_id DESC LIMIT ${limit}`,
  );
  const id = (v: unknown) => (v == null ? null : Number(v));
  const postings = rows.reverse().map(
    (r): LedgerLine => ({
      posting_id: Number(r.posting_id),
      entry_id: Number(r.entry_id),
      kind: String(r.kind),
      accounting_date: String(r.accounting_date),
      recorded_at: isoInstant(String(r.recorded_at)),
      reference: String(r.reference),
      description: String(r.description),
      reverses_entry_id: id(r.reverses_entry_id),
      gl_account: String(r.gl_account),
      item_id: id(r.item_id),
      credit_id: id(r.credit_id),
      amount_cents: r.amount_cents as bigint,
      running_balance_cents: r.running_balance_cents as bigint,
    }),
  );
  const total = rows.length ? Number(rows[0]!.total) : 0;
  return { account_id: accountId, postings, complete: postings.length === total };
}
