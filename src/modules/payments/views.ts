import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { accounts, requireAccount } from "../accounts/index.js";
import { accountBalancesTable, receivableCredits } from "../ledger/index.js";
import { cashOnlyStatuses } from "./cash-only.js";
import { REVERSAL_REASONS, type ReversalReason } from "./inputs.js";
import { paymentLines, payments, paymentTenders, paymentTransfers } from "./schema.js";
import { type TenderColumns, type TenderView, tenderView } from "./tenders.js";

export type PaymentRow = typeof payments.$inferSelect;
export type LineRow = typeof paymentLines.$inferSelect;

/** A payment's share on one account (one ledger credit). */
export interface PaymentLineView {
  id: number;
  account_id: number;
  account_number: string;
  amount_cents: bigint;
  gl_account: string;
  item_ids: number[] | null;
  credit_id: number;
  entry_id: number;
  /** posted | transferred (moved to another account) | reversed (the payment was reversed) */
  status: string;
  /** What of it no item has consumed yet (an overpayment, until the next charge). */
  unapplied_cents: bigint;
  from_transfer_id: number | null;
  transfer_id: number | null;
  reversal_entry_id: number | null;
}

/** An account the payment touched, as it stands now. */
export interface PaymentAccountView {
  account_id: number;
  account_number: string;
  status: string;
  /** The payment's money on it now (its posted shares). */
  amount_cents: bigint;
  balance_cents: bigint;
  cash_only: boolean;
  cash_only_until: string | null;
}

export interface TransferView {
  id: number;
  from_account_id: number;
  to_account_id: number;
  amount_cents: bigint;
  reason: string;
  accounting_date: string;
  made_by: string;
  recorded_at: string;
}

export interface ReversalView {
  reason: string;
  reason_label: string;
  note: string | null;
  returned: boolean;
  reversed_on: string;
  reversed_by: string;
  fee_item_id: number | null;
  fee_cents: bigint | null;
}

/** A payment with its tenders, its distribution (every share, moved or reversed ones too) and its trail. */
export interface PaymentView {
  id: number;
  status: string;
  accounting_date: string;
  received_on: string;
  channel: string;
  total_cents: bigint;
  note: string | null;
  taken_by: string;
  recorded_at: string;
  tenders: TenderView[];
  distribution: PaymentLineView[];
  accounts: PaymentAccountView[];
  transfers: TransferView[];
  reversal: ReversalView | null;
  version: number;
}

const reversalView = (p: PaymentRow): ReversalView | null =>
  p.status === "reversed"
    ? {
        reason: p.reversalReason!,
        reason_label: REVERSAL_REASONS[p.reversalReason as ReversalReason]?.label ?? p.reversalReason!,
        note: p.reversalNote,
        returned: p.returned,
        reversed_on: p.reversedOn!,
        reversed_by: p.reversedBy!,
        fee_item_id: p.feeItemId,
        fee_cents: p.feeCents,
      }
    : null;

/** The payment (404 naming `field` when there is none). */
export async function requirePayment(ctx: Ctx, id: number, field = "id", forUpdate = false): Promise<PaymentRow> {
  const query = ctx.db.select().from(payments).where(eq(payments.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`payment ${id}`, field);
  return row;
}

/** One payment as the API shows it (a fixed number of queries, whatever it holds). */
export async function paymentView(ctx: Ctx, id: number): Promise<PaymentView> {
  const p = await requirePayment(ctx, id);
  const tenders = await ctx.db
    .select()
    .from(paymentTenders)
    .where(eq(paymentTenders.paymentId, id))
    .orderBy(asc(paymentTenders.position));
  const lines = await ctx.db
    .select()
    .from(paymentLines)
    .where(eq(paymentLines.paymentId, id))
    .orderBy(asc(paymentLines.id));
  const transfers = await ctx.db
    .select()
    .from(paymentTransfers)
    .where(eq(paymentTransfers.paymentId, id))
    .orderBy(asc(paymentTransfers.id));
  const accountIds = [...new Set(lines.map((l) => l.accountId))];
  const credits = new Map(
    (
      await ctx.db
        .select({ id: receivableCredits.id, open: receivableCredits.openCents })
        .from(receivableCredits)
        .where(
          inArray(
            receivableCredits.id,
            lines.map((l) => l.creditId),
          ),
        )
    ).map((c) => [c.id, c.open]),
  );
  const accountRows = await ctx.db
    .select({
      id: accounts.id,
      number: accounts.accountNumber,
      status: accounts.status,
      balance: accountBalancesTable.balanceCents,
    })
    .from(accounts)
    .leftJoin(accountBalancesTable, eq(accountBalancesTable.accountId, accounts.id))
    .where(inArray(accounts.id, accountIds));
  const byAccount = new Map(accountRows.map((a) => [a.id, a]));
  const cashOnly = await cashOnlyStatuses(ctx.db, accountIds, ctx.clock.today().toString());
  return {
    id: p.id,
    status: p.status,
    accounting_date: p.accountingDate,
    received_on: p.receivedOn,
    channel: p.channel,
    total_cents: p.totalCents,
    note: p.note,
    taken_by: p.takenBy,
    recorded_at: isoInstant(p.recordedAt),
    tenders: tenders.map(tenderView),
    distribution: lines.map((l) => ({
      id: l.id,
      account_id: l.accountId,
      account_number: byAccount.get(l.accountId)!.number,
      amount_cents: l.amountCents,
      gl_account: l.glAccount,
      item_ids: l.itemIds ?? null,
      credit_id: l.creditId,
      entry_id: l.entryId,
      status: l.status,
      unapplied_cents: credits.get(l.creditId) ?? 0n,
      from_transfer_id: l.fromTransferId,
      transfer_id: l.transferId,
      reversal_entry_id: l.reversalEntryId,
    })),
    accounts: accountIds.map((accountId) => {
      const a = byAccount.get(accountId)!;
      return {
        account_id: accountId,
        account_number: a.number,
        status: a.status,
        amount_cents: lines
          .filter((l) => l.accountId === accountId && l.status === "posted")
          .reduce((sum, l) => sum + l.amountCents, 0n),
        balance_cents: a.balance ?? 0n,
        ...cashOnly.get(accountId)!,
      };
    }),
    transfers: transfers.map((t) => ({
      id: t.id,
      from_account_id: t.fromAccountId,
      to_account_id: t.toAccountId,
      amount_cents: t.amountCents,
      reason: t.reason,
      accounting_date: t.accountingDate,
      made_by: t.madeBy,
      recorded_at: isoInstant(t.recordedAt),
    })),
    reversal: reversalView(p),
    version: p.version,
  };
}

/** A payment about to be written (its id taken from the sequence). */
export type NewPayment = Pick<
  PaymentRow,
  "id" | "accountingDate" | "receivedOn" | "channel" | "totalCents" | "note" | "takenBy" | "takenByUserId"
>;
/** A tender about to be written, in its place among the payment's tenders. */
export type NewTender = TenderColumns & { position: number };
/** A share about to be written. */
export type NewLine = Pick<LineRow, "accountId" | "amountCents" | "glAccount" | "itemIds" | "creditId" | "entryId">;

/** What takenPaymentView builds the answer from: what was just written, and what the ledger answered. */
export interface TakenPayment {
  payment: NewPayment;
  recordedAt: string;
  tenders: NewTender[];
  /** The shares in the order written, with their ids. */
  lines: (NewLine & { id: number })[];
  /** The accounts as read before posting (number, status, cash-only status). */
  accounts: Map<number, { number: string; status: string; cashOnlyUntil: string | null } | null>;
  /** Each credit's unapplied remainder after the whole payment posted. */
  unapplied: Map<number, bigint>;
  /** Each account's cached balance after the payment. */
  balances: Map<number, bigint>;
}

/**
 * The answer to a payment just taken, from what its transaction wrote: the same as paymentView would read back
 * (a test holds them equal), without reading back what was just written.
 */
export function takenPaymentView(t: TakenPayment): PaymentView {
  const accountIds = [...new Set(t.lines.map((l) => l.accountId))];
  const account = (id: number) => t.accounts.get(id)!;
  return {
    id: t.payment.id,
    status: "posted",
    accounting_date: t.payment.accountingDate,
    received_on: t.payment.receivedOn,
    channel: t.payment.channel,
    total_cents: t.payment.totalCents,
    note: t.payment.note,
    taken_by: t.payment.takenBy,
    recorded_at: isoInstant(t.recordedAt),
    tenders: [...t.tenders].sort((a, b) => a.position - b.position).map(tenderView),
    distribution: t.lines.map((l) => ({
      id: l.id,
      account_id: l.accountId,
      account_number: account(l.accountId).number,
      amount_cents: l.amountCents,
      gl_account: l.glAccount,
      item_ids: l.itemIds ?? null,
      credit_id: l.creditId,
      entry_id: l.entryId,
      status: "posted",
      unapplied_cents: t.unapplied.get(l.creditId) ?? 0n,
      from_transfer_id: null,
      transfer_id: null,
      reversal_entry_id: null,
    })),
    accounts: accountIds.map((accountId) => {
      const a = account(accountId);
      return {
        account_id: accountId,
        account_number: a.number,
        status: a.status,
        amount_cents: t.lines.filter((l) => l.accountId === accountId).reduce((sum, l) => sum + l.amountCents, 0n),
        balance_cents: t.balances.get(accountId) ?? 0n,
        cash_only: a.cashOnlyUntil !== null,
        cash_only_until: a.cashOnlyUntil,
      };
    }),
    transfers: [],
    reversal: null,
    version: 1,
  };
}

/** A payment in an account's history. */
export interface PaymentSummary {
  id: number;
  status: string;
  accounting_date: string;
  received_on: string;
  channel: string;
  total_cents: bigint;
  /** The payment's money on this account now (0 once moved away or reversed). */
  account_amount_cents: bigint;
  /** Its shares on this account, in order: posted, transferred (moved away) or reversed. */
  account_shares: { amount_cents: bigint; status: string }[];
  tenders: { type: string; amount_cents: bigint; description: string }[];
  taken_by: string;
  reversal_reason: string | null;
  returned: boolean;
  recorded_at: string;
}

/** The account's payment history, newest first, a page at a time (`before`: the `next_cursor` of the last page). */
export async function accountPayments(
  ctx: Ctx,
  accountId: number,
  opts: { limit: number; before?: number },
): Promise<{ account_id: number; payments: PaymentSummary[]; next_cursor: number | null }> {
  await requireAccount(ctx.db, accountId);
  const ids = (
    await ctx.db
      .selectDistinct({ id: paymentLines.paymentId })
      .from(paymentLines)
      .where(
        and(eq(paymentLines.accountId, accountId), opts.before ? lt(paymentLines.paymentId, opts.before) : undefined),
      )
      .orderBy(desc(paymentLines.paymentId))
      .limit(opts.limit + 1)
  ).map((r) => r.id);
  const page = ids.slice(0, opts.limit);
  if (page.length === 0) return { account_id: accountId, payments: [], next_cursor: null };
  const rows = await ctx.db.select().from(payments).where(inArray(payments.id, page)).orderBy(desc(payments.id));
  const tenders = await ctx.db
    .select()
    .from(paymentTenders)
    .where(inArray(paymentTenders.paymentId, page))
    .orderBy(asc(paymentTenders.position));
  const lines = await ctx.db
    .select()
    .from(paymentLines)
    .where(and(inArray(paymentLines.paymentId, page), eq(paymentLines.accountId, accountId)))
    .orderBy(asc(paymentLines.id));
  const sum = (ls: LineRow[]) => ls.reduce((s, l) => s + l.amountCents, 0n);
  return {
    account_id: accountId,
    payments: rows.map((p) => {
      const mine = lines.filter((l) => l.paymentId === p.id);
      return {
        id: p.id,
        status: p.status,
        accounting_date: p.accountingDate,
        received_on: p.receivedOn,
        channel: p.channel,
        total_cents: p.totalCents,
        account_amount_cents: sum(mine.filter((l) => l.status === "posted")),
        account_shares: mine.map((l) => ({ amount_cents: l.amountCents, status: l.status })),
        tenders: tenders
          .filter((t) => t.paymentId === p.id)
          .map((t) => {
            const v = tenderView(t);
            return { type: v.type, amount_cents: v.amount_cents, description: v.description };
          }),
        taken_by: p.takenBy,
        reversal_reason: p.reversalReason,
        returned: p.returned,
        recorded_at: isoInstant(p.recordedAt),
      };
    }),
    next_cursor: ids.length > opts.limit ? page[page.length - 1]! : null,
  };
}
