import type { ApprovalRequest } from "./approvals.js";
import { api } from "./client.js";
import type { Cents } from "./ledger.js";

/** A credit lowers the balance (matched to the oldest due items); a charge is a new item billed with the next bill. */
export type AdjustmentKind = "credit" | "charge";

/** What the workstation sends to make an adjustment. */
export interface AdjustmentRequest {
  kind: AdjustmentKind;
  amount_cents: number;
  reason_code: string;
  note?: string;
}

/** An adjustment as the API shows it. */
export interface Adjustment {
  id: number;
  account_id: number;
  kind: AdjustmentKind;
  amount_cents: Cents;
  reason_code: string;
  reason_label: string;
  note: string | null;
  gl_account: string;
  accounting_date: string;
  made_by: string;
  /** Who approved it, when it was above the maker's limit. */
  approved_by: string | null;
  item_id: number | null;
  credit_id: number | null;
  entry_id: number;
  recorded_at: string;
  version: number;
}

/** A reason code (the setting `adjustments.reasons`): the kinds it allows and the GL account it posts against. */
export interface AdjustmentReason {
  code: string;
  label: string;
  kinds: AdjustmentKind[];
  gl_account: string;
}

/** A credit above the maker's limit: nothing posted, the request waits in the approval queue (answer 202). */
export interface PendingApproval {
  status: "pending_approval";
  approval_request: ApprovalRequest;
}

/** What making an adjustment answers: the posted adjustment, or the request waiting for approval. */
export type AdjustmentResult = (Adjustment & { balance_cents: Cents }) | PendingApproval;

export const isPending = (r: object): r is PendingApproval => (r as { status?: unknown }).status === "pending_approval";

/** Makes an adjustment; `key` is the attempt's Idempotency-Key (the same on a retry of the same attempt). */
export const makeAdjustment = (accountId: number, body: AdjustmentRequest, key: string) =>
  api.post<AdjustmentResult>(`/api/v1/accounts/${accountId}/adjustments`, body, {
    headers: { "idempotency-key": key },
  });

/** How many adjustments the list asks for (the ledger has every one). */
export const ADJUSTMENT_LIST_LIMIT = 100;

/** The account's adjustments, newest first. */
export const fetchAdjustments = async (accountId: number, signal?: AbortSignal) =>
  (
    await api.get<{ adjustments: Adjustment[] }>(`/api/v1/accounts/${accountId}/adjustments`, {
      signal,
      query: { limit: ADJUSTMENT_LIST_LIMIT },
    })
  ).adjustments;

/** The reason codes in force. */
export const fetchAdjustmentReasons = async (signal?: AbortSignal) =>
  (await api.get<{ reasons: AdjustmentReason[] }>("/api/v1/adjustments/reasons", { signal })).reasons;

/** The largest credit or refund each role may post without approval, in cents; null is no limit. */
export type ApprovalLimits = Record<string, number | null>;

/** The approval limits by role (the setting `approvals.limit_cents`). */
export const fetchApprovalLimits = async (signal?: AbortSignal) =>
  (await api.get<{ current: ApprovalLimits }>("/api/v1/settings/approvals.limit_cents", { signal })).current;

/** The user's own limit: the highest of their roles' (null, no limit, wins; a role not listed has none). */
export function ownLimit(roles: string[], limits: ApprovalLimits | undefined): bigint | null | undefined {
  if (!limits) return undefined;
  let most = 0n;
  for (const r of roles) {
    if (!Object.hasOwn(limits, r)) continue;
    const limit = limits[r];
    if (limit === null || limit === undefined) return null;
    if (BigInt(limit) > most) most = BigInt(limit);
  }
  return most;
}

/** Who approves an amount: the first of the roles above the user's whose limit covers it ("a lead"). */
export function approverFor(amount: bigint, roles: string[], limits: ApprovalLimits | undefined): string {
  const up = ["lead", "supervisor"].filter((r) => !roles.includes(r));
  const who = up.find((r) => {
    const limit = limits?.[r];
    return limit === null || (limit !== undefined && BigInt(limit) >= amount);
  });
  return who ? `a ${who}` : "someone with a higher limit";
}
