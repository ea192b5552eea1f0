import { asc, desc, eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { conflict, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { requireAccount } from "../accounts/index.js";
import { dollars } from "../payments/index.js";
import { type ApprovalRow, type ApprovalView, actorLimit, approvalViews, auditImage } from "./approval-requests.js";
import { type AdjustmentInput, type ApproveInput, adjustmentInput, type RejectInput } from "./inputs.js";
import { postApprovedRefund, type RefundPosted, rejectRefund } from "./refunds.js";
import { approvalRequests } from "./schema.js";
import { type AdjustmentMade, postAdjustment } from "./service.js";

export type ApprovalStatusFilter = "pending" | "approved" | "rejected" | "all";

/**
 * The approval queue: requests in a status (pending by default). Those the reader may decide come first (oldest
 * first: the longest wait is served first), then those above the reader's limit, then the reader's own.
 */
export async function approvalQueue(
  ctx: Ctx,
  opts: { status: ApprovalStatusFilter; limit: number },
): Promise<{ approvals: ApprovalView[]; your_limit_cents: bigint | null }> {
  const where = opts.status === "all" ? undefined : eq(approvalRequests.status, opts.status);
  const order = opts.status === "pending" ? asc(approvalRequests.id) : desc(approvalRequests.id);
  const rows = await ctx.db.select().from(approvalRequests).where(where).orderBy(order).limit(opts.limit);
  const views = await approvalViews(ctx, rows);
  const rank = (v: ApprovalView) => (v.can_decide ? 0 : v.yours ? 2 : 1);
  // A stable sort keeps the order read within each group.
  views.sort((a, b) => rank(a) - rank(b));
  return { approvals: views, your_limit_cents: await actorLimit(ctx) };
}

/** The account's requests for approval, newest first (those still pending and those decided). */
export async function accountApprovals(ctx: Ctx, accountId: number, limit = 50): Promise<ApprovalView[]> {
  await requireAccount(ctx.db, accountId, "id");
  const rows = await ctx.db
    .select()
    .from(approvalRequests)
    .where(eq(approvalRequests.accountId, accountId))
    .orderBy(desc(approvalRequests.id))
    .limit(limit);
  return approvalViews(ctx, rows);
}

/** How many requests are pending, and how many of them the reader may decide (the navigation badge). */
export async function pendingCount(ctx: Ctx): Promise<{ pending: number; yours_to_decide: number }> {
  const { approvals } = await approvalQueue(ctx, { status: "pending", limit: 500 });
  return { pending: approvals.length, yours_to_decide: approvals.filter((a) => a.can_decide).length };
}

/**
 * Locks a pending request for a decision and checks who decides: the version read (409 if stale), still pending
 * (409), not the decider's own (422 approvals.own_request), within the decider's own limit (422
 * approvals.over_your_limit).
 */
async function lockForDecision(tx: Ctx, id: number, version: number): Promise<ApprovalRow> {
  const [row] = await tx.db.select().from(approvalRequests).where(eq(approvalRequests.id, id)).for("update");
  if (!row) throw notFound(`approval request ${id}`, "id");
  if (row.status !== "pending") {
    throw conflict(`approval request ${id} was already ${row.status} by ${row.decidedBy}`, {
      current: (await approvalViews(tx, [row]))[0],
    });
  }
  if (row.version !== version) throw staleVersion(`approval request ${id}`, (await approvalViews(tx, [row]))[0]);
  if (row.requestedByUserId !== null && row.requestedByUserId === tx.actor.userId) {
    throw ruleRefused("approvals.own_request", "you may not approve or reject your own request: another person must", {
      errors: [{ field: "id", message: "your own request" }],
    });
  }
  const limit = await actorLimit(tx);
  if (limit !== null && row.amountCents > limit) {
    throw ruleRefused(
      "approvals.over_your_limit",
      `${dollars(row.amountCents)} is above your own limit of ${dollars(limit)}: it needs someone with a higher one`,
      { limit_cents: limit, errors: [{ field: "id", message: `above your limit of ${limit} cents` }] },
    );
  }
  return row;
}

/** Records the decision on the request and audits it on the account. */
async function decide(
  tx: Ctx,
  row: ApprovalRow,
  change: { status: "approved" | "rejected"; note: string | null; adjustmentId?: number },
): Promise<ApprovalView> {
  const [updated] = await tx.db
    .update(approvalRequests)
    .set({
      status: change.status,
      decidedBy: tx.actor.username,
      decidedByUserId: tx.actor.userId,
      decidedAt: sql`now()`,
      decisionNote: change.note,
      adjustmentId: change.adjustmentId ?? null,
      version: sql`${approvalRequests.version} + 1`,
    })
    .where(eq(approvalRequests.id, row.id))
    .returning();
  const [before, after] = await approvalViews(tx, [row, updated!]);
  await audit(tx, {
    action: change.status === "approved" ? "approvals.approve" : "approvals.reject",
    entityType: "approval_request",
    entityId: row.id,
    accountId: row.accountId,
    before: auditImage(before!),
    after: auditImage(after!),
  });
  return after!;
}

export interface ApprovalDecided {
  approval_request: ApprovalView;
  /** What approval posted: the adjustment or the refund (null when rejected). */
  adjustment: AdjustmentMade | null;
  refund: RefundPosted | null;
}

/**
 * Approves a request and posts it in the same transaction: the adjustment as the requester made it (made_by is
 * the requester; the approver is recorded on the request), or the refund after checking the credit balance still
 * covers it (if not: 422 refunds.exceeds_credit and the request stays pending).
 */
export async function approveRequest(ctx: Ctx, id: number, input: ApproveInput): Promise<ApprovalDecided> {
  return inTx(ctx, async (tx) => {
    const row = await lockForDecision(tx, id, input.version);
    const onBehalfOf = { username: row.requestedBy, userId: row.requestedByUserId, approvedBy: tx.actor.username };
    if (row.kind === "adjustment") {
      const payload: AdjustmentInput = adjustmentInput.parse(row.payload);
      const adjustment = await postAdjustment(tx, row.accountId, payload, onBehalfOf);
      const approval = await decide(tx, row, {
        status: "approved",
        note: input.note || null,
        adjustmentId: adjustment.id,
      });
      return { approval_request: approval, adjustment, refund: null };
    }
    const refund = await postApprovedRefund(tx, row.refundId!, tx.actor.username);
    const approval = await decide(tx, row, { status: "approved", note: input.note || null });
    return { approval_request: approval, adjustment: null, refund };
  });
}

/** Rejects a request with the reason why: nothing posts (a refund waiting for it is marked rejected). */
export async function rejectRequest(ctx: Ctx, id: number, input: RejectInput): Promise<ApprovalDecided> {
  return inTx(ctx, async (tx) => {
    const row = await lockForDecision(tx, id, input.version);
    if (row.kind === "refund") await rejectRefund(tx, row.refundId!);
    const approval = await decide(tx, row, { status: "rejected", note: input.note });
    return { approval_request: approval, adjustment: null, refund: null };
  });
}
