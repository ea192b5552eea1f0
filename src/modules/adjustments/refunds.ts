import { desc, eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { type AccountRow, accountMailing, requireAccount } from "../accounts/index.js";
import { accountBalances, postCharge } from "../ledger/index.js";
import { type AddressView, getParties } from "../parties/index.js";
import { dollars } from "../payments/index.js";
import { fileApprovalRequest, type PendingApproval, type Route, routeOf } from "./approval-requests.js";
import type { RefundInput } from "./inputs.js";
import { refunds } from "./schema.js";
import { type RefundReason, refundReasons } from "./settings.js";

export type RefundRow = typeof refunds.$inferSelect;

/** A refund as the API shows it (an ACH refund's processor token is never shown). */
export interface RefundView {
  id: number;
  account_id: number;
  amount_cents: bigint;
  method: string;
  payee_name: string;
  payee_address: string | null;
  last4: string | null;
  reason: string;
  reason_label: string;
  note: string | null;
  /** pending_approval | posted | rejected */
  status: string;
  item_id: number | null;
  entry_id: number | null;
  accounting_date: string | null;
  requested_by: string;
  approved_by: string | null;
  recorded_at: string;
  version: number;
}

export const refundView = (r: RefundRow, reasons: RefundReason[]): RefundView => ({
  id: r.id,
  account_id: r.accountId,
  amount_cents: r.amountCents,
  method: r.method,
  payee_name: r.payeeName,
  payee_address: r.payeeAddress,
  last4: r.last4,
  reason: r.reason,
  reason_label: reasons.find((x) => x.code === r.reason)?.label ?? r.reason,
  note: r.note,
  status: r.status,
  item_id: r.itemId,
  entry_id: r.entryId,
  accounting_date: r.accountingDate,
  requested_by: r.requestedBy,
  approved_by: r.approvedBy,
  recorded_at: isoInstant(r.recordedAt),
  version: r.version,
});

/** A posted refund, with the account's balance after it. */
export type RefundPosted = RefundView & { balance_cents: bigint };
/** A refund above the requester's limit: filed for approval, nothing posted. */
export type RefundPending = PendingApproval & { refund: RefundView };

/** The refund reasons in force today. */
export const listRefundReasons = (ctx: Ctx) => currentSetting(ctx, refundReasons);

/** Whether a refund posts at once or waits for approval (above the actor's limit). */
export const refundRoute = (ctx: Ctx, input: RefundInput): Promise<Route> => routeOf(ctx, input.amount_cents);

const addressLine = (a: AddressView) =>
  [a.line1, a.line2, a.city, `${a.state} ${a.zip}`.trim()].filter(Boolean).join(", ");

/** Who a refund is paid to: the account's main customer, at the account's mailing address, else the customer's. */
async function payeeOf(ctx: Ctx, account: AccountRow): Promise<{ name: string; address: string | null }> {
  const [party] = await getParties(ctx, [account.mainPartyId]);
  const address = accountMailing(account) ?? party?.mailing_address ?? null;
  return { name: party?.display_name ?? `Account ${account.accountNumber}`, address: address && addressLine(address) };
}

const exceeds = (amount: bigint, credit: bigint) =>
  ruleRefused(
    "refunds.exceeds_credit",
    credit > 0n
      ? `a refund of ${dollars(amount)} is more than the credit balance of ${dollars(credit)}`
      : "the account has no credit balance to refund",
    {
      credit_balance_cents: credit,
      errors: [{ field: "amount_cents", message: `at most the credit balance, ${credit} cents` }],
    },
  );

/** Refuses a refund the account's credit balance (a negative balance) does not cover. */
async function checkCovered(tx: Ctx, accountId: number, amount: bigint) {
  const { balance_cents } = await accountBalances(tx, accountId);
  const credit = balance_cents < 0n ? -balance_cents : 0n;
  if (amount > credit) throw exceeds(amount, credit);
}

/**
 * Posts a refund row's charge: a receivable item of category `refund` due today (Dr receivables / Cr refunds
 * payable), which the clearing run matches against the account's unapplied credits at once. Under the account's
 * lock the balance after it must not be above zero: otherwise the credit no longer covers it and nothing commits.
 */
async function postRefundCharge(
  tx: Ctx,
  row: Pick<RefundRow, "id" | "accountId" | "amountCents" | "method" | "payeeName" | "last4">,
) {
  const description =
    row.method === "check" ? `Refund by check to ${row.payeeName}` : `Refund by ACH to the account ending ${row.last4}`;
  const posted = await postCharge(tx, {
    account_id: row.accountId,
    category: "refund",
    amount_cents: row.amountCents,
    due_date: tx.clock.today().toString(),
    reference: `refund:${row.id}`,
    description: description.slice(0, 500),
  });
  if (posted.balance_cents > 0n || posted.item.open_cents !== 0n) {
    throw exceeds(row.amountCents, row.amountCents - posted.balance_cents);
  }
  return posted;
}

/**
 * Refunds (part of) an account's credit balance, by check to the customer's mailing address (payee and address
 * kept as they are today) or by ACH to a processor's token. The credit balance must cover it (422
 * refunds.exceeds_credit). At or under the requester's limit it posts at once; above it the refund waits for
 * approval (status pending_approval) and nothing posts.
 */
export async function requestRefund(
  ctx: Ctx,
  accountId: number,
  input: RefundInput,
  route?: Route,
): Promise<RefundPosted | RefundPending> {
  const reasons = await listRefundReasons(ctx);
  if (!reasons.some((r) => r.code === input.reason)) {
    throw badRequest(`no refund reason ${input.reason}`, [
      { field: "reason", message: `one of ${reasons.map((r) => r.code).join(", ")}` },
    ]);
  }
  const how = route ?? (await refundRoute(ctx, input));
  const amount = BigInt(input.amount_cents);
  return inTx(ctx, async (tx) => {
    const account = await requireAccount(tx.db, accountId, "id");
    await checkCovered(tx, accountId, amount);
    const payee = await payeeOf(tx, account);
    if (input.method === "check" && !payee.address) {
      throw ruleRefused("refunds.no_mailing_address", "a check needs the customer's mailing address", {
        errors: [{ field: "method", message: "the customer has no mailing address: add it, or refund by ACH" }],
      });
    }
    // The id first, so the ledger entry can name the refund it belongs to.
    const [{ id }] = (await tx.database.rows<{ id: bigint }>(
      tx.db,
      sql`SELECT nextval(pg_get_serial_sequence('refunds', 'id'))::int8 AS id`,
    )) as [{ id: bigint }];
    const base = {
      id: Number(id),
      accountId,
      amountCents: amount,
      method: input.method,
      payeeName: payee.name,
      payeeAddress: payee.address,
      processorToken: input.processor_token ?? null,
      last4: input.account_last4 ?? null,
      reason: input.reason,
      note: input.note || null,
      requestedBy: tx.actor.username,
      requestedByUserId: tx.actor.userId,
    };
    if (how === "approval") {
      const [row] = await tx.db
        .insert(refunds)
        .values({ ...base, status: "pending_approval" })
        .returning();
      const refund = refundView(row!, reasons);
      await audit(tx, { action: "refunds.request", entityType: "refund", entityId: row!.id, accountId, after: refund });
      const label = refund.reason_label;
      const pending = await fileApprovalRequest(tx, {
        kind: "refund",
        accountId,
        amountCents: amount,
        payload: { ...input },
        summary: `Refund by ${input.method === "ach" ? "ACH" : "check"}: ${label}${input.note ? `: ${input.note}` : ""}`,
        refundId: row!.id,
      });
      return { ...pending, refund };
    }
    const posted = await postRefundCharge(tx, base);
    const [row] = await tx.db
      .insert(refunds)
      .values({
        ...base,
        status: "posted",
        itemId: posted.item.id,
        entryId: posted.entry_id,
        accountingDate: tx.clock.today().toString(),
      })
      .returning();
    const result = { ...refundView(row!, reasons), balance_cents: posted.balance_cents };
    await audit(tx, { action: "refunds.post", entityType: "refund", entityId: row!.id, accountId, after: result });
    return result;
  });
}

/** Posts a refund that waited for approval (inside the approval's transaction); `approvedBy` is recorded on it. */
export async function postApprovedRefund(tx: Ctx, refundId: number, approvedBy: string): Promise<RefundPosted> {
  const [row] = await tx.db.select().from(refunds).where(eq(refunds.id, refundId)).for("update");
  if (row?.status !== "pending_approval") throw new Error(`refund ${refundId} is not waiting for approval`);
  await checkCovered(tx, row.accountId, row.amountCents);
  const posted = await postRefundCharge(tx, row);
  const [updated] = await tx.db
    .update(refunds)
    .set({
      status: "posted",
      itemId: posted.item.id,
      entryId: posted.entry_id,
      accountingDate: tx.clock.today().toString(),
      approvedBy,
      version: sql`${refunds.version} + 1`,
    })
    .where(eq(refunds.id, refundId))
    .returning();
  const result = { ...refundView(updated!, await listRefundReasons(tx)), balance_cents: posted.balance_cents };
  await audit(tx, {
    action: "refunds.post",
    entityType: "refund",
    entityId: refundId,
    accountId: row.accountId,
    before: refundView(row, await listRefundReasons(tx)),
    after: result,
  });
  return result;
}

/** Marks a refund that waited for approval as rejected (nothing was posted for it). */
export async function rejectRefund(tx: Ctx, refundId: number): Promise<RefundView> {
  const reasons = await listRefundReasons(tx);
  const [before] = await tx.db.select().from(refunds).where(eq(refunds.id, refundId)).for("update");
  if (before?.status !== "pending_approval") {
    throw new Error(`refund ${refundId} is not waiting for approval`);
  }
  const [row] = await tx.db
    .update(refunds)
    .set({ status: "rejected", version: sql`${refunds.version} + 1` })
    .where(eq(refunds.id, refundId))
    .returning();
  const after = refundView(row!, reasons);
  await audit(tx, {
    action: "refunds.reject",
    entityType: "refund",
    entityId: refundId,
    accountId: row!.accountId,
    before: refundView(before, reasons),
    after,
  });
  return after;
}

/** The account's refunds (posted, waiting and rejected), newest first. */
export async function accountRefunds(ctx: Ctx, accountId: number, limit = 50): Promise<RefundView[]> {
  await requireAccount(ctx.db, accountId, "id");
  const reasons = await listRefundReasons(ctx);
  const rows = await ctx.db
    .select()
    .from(refunds)
    .where(eq(refunds.accountId, accountId))
    .orderBy(desc(refunds.id))
    .limit(limit);
  return rows.map((r) => refundView(r, reasons));
}
