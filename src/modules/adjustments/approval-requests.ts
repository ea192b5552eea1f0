import { eq, inArray } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Actor, type Ctx, hasPermission } from "../../platform/context.js";
import { currentSetting } from "../../platform/settings.js";
import { accounts } from "../accounts/index.js";
import { parties } from "../parties/index.js";
import { approvalRequests } from "./schema.js";
import { type ApprovalLimits, approvalLimits } from "./settings.js";

/**
 * The largest credit or refund the actor may post without approval: the highest of their roles' limits, where
 * null (no limit) beats any number and a role not listed has none. The system (jobs, CLI) has no limit.
 */
export function limitOf(actor: Actor, limits: ApprovalLimits): bigint | null {
  if (actor.permissions.has("*")) return null;
  let most = 0n;
  for (const role of actor.roles) {
    if (!Object.hasOwn(limits, role)) continue;
    const limit = limits[role];
    if (limit === null || limit === undefined) return null;
    if (BigInt(limit) > most) most = BigInt(limit);
  }
  return most;
}

/** The actor's own limit today. */
export const actorLimit = async (ctx: Ctx) => limitOf(ctx.actor, await currentSetting(ctx, approvalLimits));

const covers = (limit: bigint | null, amount: bigint) => limit === null || amount <= limit;

/**
 * How a money request goes: posted at once (201), or filed for approval (202) when the amount is above the
 * actor's limit. Decided before the request's transaction opens, so the answer's status is known when the
 * Idempotency-Key's response is recorded with the work.
 */
export type Route = "post" | "approval";

/** Whether an amount may post at once for the actor today, or must wait for approval. */
export async function routeOf(ctx: Ctx, amountCents: number | bigint): Promise<Route> {
  return covers(await actorLimit(ctx), BigInt(amountCents)) ? "post" : "approval";
}

export const statusOf = (route: Route) => (route === "post" ? 201 : 202);

export type ApprovalRow = typeof approvalRequests.$inferSelect;

/** A request for approval as the API shows it, with what it means to the reader. */
export interface ApprovalView {
  id: number;
  /** adjustment | refund */
  kind: string;
  /** pending | approved | rejected */
  status: string;
  account_id: number;
  account_number: string;
  customer_name: string;
  amount_cents: bigint;
  summary: string;
  /** The request as made (an ACH refund's processor token left out). */
  payload: Record<string, unknown>;
  requested_by: string;
  requested_at: string;
  /** Seconds since it was requested. */
  age_seconds: number;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  adjustment_id: number | null;
  refund_id: number | null;
  version: number;
  /** The reader asked for it (and so may not decide it). */
  yours: boolean;
  /** The reader's own limit covers the amount. */
  within_your_limit: boolean;
  /** The reader may approve or reject it now. */
  can_decide: boolean;
}

/** A request's payload as it may be shown: without the processor's token of an ACH refund. */
export function publicPayload(payload: unknown): Record<string, unknown> {
  const p = typeof payload === "object" && payload !== null ? { ...(payload as Record<string, unknown>) } : {};
  delete p.processor_token;
  return p;
}

/** The requests as the reader sees them: account number and customer name read once for all of them. */
export async function approvalViews(ctx: Ctx, rows: ApprovalRow[]): Promise<ApprovalView[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((r) => r.accountId))];
  const found = await ctx.db
    .select({ id: accounts.id, number: accounts.accountNumber, name: parties.displayName })
    .from(accounts)
    .innerJoin(parties, eq(parties.id, accounts.mainPartyId))
    .where(inArray(accounts.id, ids));
  const byId = new Map(found.map((a) => [a.id, a]));
  const limit = await actorLimit(ctx);
  const decider = hasPermission(ctx.actor, "approvals.decide");
  const now = Date.now();
  return rows.map((r) => {
    const yours = r.requestedByUserId !== null && r.requestedByUserId === ctx.actor.userId;
    const within = covers(limit, r.amountCents);
    const requestedAt = isoInstant(r.requestedAt);
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      account_id: r.accountId,
      account_number: byId.get(r.accountId)?.number ?? "",
      customer_name: byId.get(r.accountId)?.name ?? "",
      amount_cents: r.amountCents,
      summary: r.summary,
      payload: publicPayload(r.payload),
      requested_by: r.requestedBy,
      requested_at: requestedAt,
      age_seconds: Math.max(0, Math.floor((now - Date.parse(requestedAt)) / 1000)),
      decided_by: r.decidedBy,
      decided_at: r.decidedAt ? isoInstant(r.decidedAt) : null,
      decision_note: r.decisionNote,
      adjustment_id: r.adjustmentId,
      refund_id: r.refundId,
      version: r.version,
      yours,
      within_your_limit: within,
      can_decide: decider && r.status === "pending" && !yours && within,
    };
  });
}

/** What a request that went for approval answers (202). */
export interface PendingApproval {
  status: "pending_approval";
  approval_request: ApprovalView;
}

/**
 * Files a request for approval: nothing posts; the payload is the validated input, posted as it is on approval.
 * Audited on the account, so its timeline says what is waiting.
 */
export async function fileApprovalRequest(
  tx: Ctx,
  request: {
    kind: "adjustment" | "refund";
    accountId: number;
    amountCents: bigint;
    payload: Record<string, unknown>;
    summary: string;
    refundId?: number;
  },
): Promise<PendingApproval> {
  const [row] = await tx.db
    .insert(approvalRequests)
    .values({
      kind: request.kind,
      accountId: request.accountId,
      amountCents: request.amountCents,
      payload: publicPayload(request.payload),
      summary: request.summary.slice(0, 300),
      requestedBy: tx.actor.username,
      requestedByUserId: tx.actor.userId,
      refundId: request.refundId ?? null,
    })
    .returning();
  const [view] = await approvalViews(tx, [row!]);
  await audit(tx, {
    action: "approvals.request",
    entityType: "approval_request",
    entityId: row!.id,
    accountId: request.accountId,
    after: auditImage(view!),
  });
  return { status: "pending_approval", approval_request: view! };
}

/** What the audit trail keeps of a request (the reader-relative fields left out). */
export const auditImage = (v: ApprovalView) => ({
  id: v.id,
  kind: v.kind,
  status: v.status,
  amount_cents: v.amount_cents,
  summary: v.summary,
  payload: v.payload,
  requested_by: v.requested_by,
  decided_by: v.decided_by,
  decision_note: v.decision_note,
  adjustment_id: v.adjustment_id,
  refund_id: v.refund_id,
  version: v.version,
});
