import { desc, eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { requireAccount } from "../accounts/index.js";
import { postCharge, postCredit } from "../ledger/index.js";
import { fileApprovalRequest, type PendingApproval, type Route, routeOf } from "./approval-requests.js";
import type { AdjustmentInput } from "./inputs.js";
import { adjustments, approvalRequests } from "./schema.js";
import { type AdjustmentReason, adjustmentReasons } from "./settings.js";

type AdjustmentRow = typeof adjustments.$inferSelect;

/** An adjustment as the API shows it. */
export interface AdjustmentView {
  id: number;
  account_id: number;
  kind: string;
  amount_cents: bigint;
  reason_code: string;
  reason_label: string;
  note: string | null;
  gl_account: string;
  accounting_date: string;
  made_by: string;
  /** Who approved it, when it was above the maker's limit. */
  approved_by: string | null;
  /** The receivable item a charge made, or the credit a credit made. */
  item_id: number | null;
  credit_id: number | null;
  entry_id: number;
  recorded_at: string;
  version: number;
}

const view = (a: AdjustmentRow, reasons: AdjustmentReason[], approvedBy: string | null): AdjustmentView => ({
  id: a.id,
  account_id: a.accountId,
  kind: a.kind,
  amount_cents: a.amountCents,
  reason_code: a.reasonCode,
  reason_label: reasons.find((r) => r.code === a.reasonCode)?.label ?? a.reasonCode,
  note: a.note,
  gl_account: a.glAccount,
  accounting_date: a.accountingDate,
  made_by: a.madeBy,
  approved_by: approvedBy,
  item_id: a.itemId,
  credit_id: a.creditId,
  entry_id: a.entryId,
  recorded_at: isoInstant(a.recordedAt),
  version: a.version,
});

/** The reason codes in force today. */
export const listAdjustmentReasons = (ctx: Ctx) => currentSetting(ctx, adjustmentReasons);

/** Checks the reason code: one of the setting's, and for this kind (400 naming reason_code otherwise). */
async function reasonFor(
  ctx: Ctx,
  input: AdjustmentInput,
): Promise<{ reason: AdjustmentReason; reasons: AdjustmentReason[] }> {
  const reasons = await listAdjustmentReasons(ctx);
  const reason = reasons.find((r) => r.code === input.reason_code);
  if (!reason) {
    throw badRequest(`no reason code ${input.reason_code}`, [
      { field: "reason_code", message: `one of ${reasons.map((r) => r.code).join(", ")}` },
    ]);
  }
  if (!reason.kinds.includes(input.kind)) {
    throw badRequest(`${reason.code} is for ${reason.kinds.join(" or ")} adjustments`, [
      { field: "reason_code", message: `not for a ${input.kind}` },
    ]);
  }
  return { reason, reasons };
}

/** Whether an adjustment posts at once or waits for approval: a credit above the actor's limit waits; charges never. */
export const adjustmentRoute = (ctx: Ctx, input: AdjustmentInput): Promise<Route> =>
  input.kind === "credit" ? routeOf(ctx, input.amount_cents) : Promise.resolve("post");

/** A posted adjustment, with the account's balance after it. */
export type AdjustmentMade = AdjustmentView & { balance_cents: bigint };

/**
 * Makes an adjustment on an account (closed ones too): a charge is a receivable item of category `adjustment`
 * (Dr receivables / Cr the reason's GL account, billed with the next bill); a credit is a credit adjustment (Dr the
 * reason's GL account / Cr unapplied cash) matched oldest due first. A credit above the actor's approval limit posts
 * nothing: it is filed for approval (`route` as adjustmentRoute decided it; decided here when not given).
 */
export async function makeAdjustment(
  ctx: Ctx,
  accountId: number,
  input: AdjustmentInput,
  route?: Route,
): Promise<AdjustmentMade | PendingApproval> {
  const { reason } = await reasonFor(ctx, input);
  const how = route ?? (await adjustmentRoute(ctx, input));
  if (how === "post") return postAdjustment(ctx, accountId, input);
  return inTx(ctx, async (tx) => {
    await requireAccount(tx.db, accountId, "id");
    return fileApprovalRequest(tx, {
      kind: "adjustment",
      accountId,
      amountCents: BigInt(input.amount_cents),
      payload: { ...input },
      summary: `${reason.label}${input.note ? `: ${input.note}` : ""}`,
    });
  });
}

/**
 * Posts an adjustment; `onBehalfOf` is the person who asked for it when it posts on approval (the approver is the
 * one acting, and is recorded on the approval request).
 */
export async function postAdjustment(
  ctx: Ctx,
  accountId: number,
  input: AdjustmentInput,
  onBehalfOf?: { username: string; userId: number | null; approvedBy: string },
): Promise<AdjustmentMade> {
  const { reason, reasons } = await reasonFor(ctx, input);
  const amount = BigInt(input.amount_cents);
  return inTx(ctx, async (tx) => {
    await requireAccount(tx.db, accountId, "id");
    // The id first, so the ledger entry can name the adjustment it belongs to.
    const [{ id }] = (await tx.database.rows<{ id: bigint }>(
      tx.db,
      sql`SELECT nextval(pg_get_serial_sequence('adjustments', 'id'))::int8 AS id`,
    )) as [{ id: bigint }];
    const reference = `adjustment:${id}`;
    const description = `${reason.label}${input.note ? `: ${input.note}` : ""}`.slice(0, 500);
    const posted =
      input.kind === "charge"
        ? await postCharge(tx, {
            account_id: accountId,
            category: "adjustment",
            amount_cents: amount,
            due_date: null,
            gl_credit_account: reason.gl_account,
            reference,
            description,
          }).then((r) => ({ entryId: r.entry_id, itemId: r.item.id, creditId: null, balance: r.balance_cents }))
        : await postCredit(tx, {
            account_id: accountId,
            kind: "credit_adjustment",
            amount_cents: amount,
            gl_debit_account: reason.gl_account,
            reference,
            description,
          }).then((r) => ({ entryId: r.entry_id, itemId: null, creditId: r.credit.id, balance: r.balance_cents }));
    const [row] = await tx.db
      .insert(adjustments)
      .values({
        id: Number(id),
        accountId,
        kind: input.kind,
        amountCents: amount,
        reasonCode: reason.code,
        note: input.note || null,
        glAccount: reason.gl_account,
        entryId: posted.entryId,
        itemId: posted.itemId,
        creditId: posted.creditId,
        accountingDate: tx.clock.today().toString(),
        madeBy: onBehalfOf?.username ?? tx.actor.username,
        madeByUserId: onBehalfOf ? onBehalfOf.userId : tx.actor.userId,
      })
      .returning();
    const result = { ...view(row!, reasons, onBehalfOf?.approvedBy ?? null), balance_cents: posted.balance };
    await audit(tx, {
      action: `adjustments.${input.kind}`,
      entityType: "adjustment",
      entityId: row!.id,
      accountId,
      after: result,
    });
    return result;
  });
}

/** The account's adjustments, newest first. */
export async function accountAdjustments(ctx: Ctx, accountId: number, limit = 50): Promise<AdjustmentView[]> {
  await requireAccount(ctx.db, accountId, "id");
  const reasons = await listAdjustmentReasons(ctx);
  const rows = await ctx.db
    .select({ a: adjustments, approvedBy: approvalRequests.decidedBy })
    .from(adjustments)
    .leftJoin(approvalRequests, eq(approvalRequests.adjustmentId, adjustments.id))
    .where(eq(adjustments.accountId, accountId))
    .orderBy(desc(adjustments.id))
    .limit(limit);
  return rows.map((r) => view(r.a, reasons, r.approvedBy));
}
