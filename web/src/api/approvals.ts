import { api } from "./client.js";
import type { Cents } from "./ledger.js";

/** A credit or refund above its requester's limit, waiting for (or decided by) someone whose limit covers it. */
export interface ApprovalRequest {
  id: number;
  kind: "adjustment" | "refund";
  status: "pending" | "approved" | "rejected";
  account_id: number;
  account_number: string;
  customer_name: string;
  amount_cents: Cents;
  summary: string;
  payload: Record<string, unknown>;
  requested_by: string;
  requested_at: string;
  age_seconds: number;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  adjustment_id: number | null;
  refund_id: number | null;
  version: number;
  /** The reader asked for it. */
  yours: boolean;
  within_your_limit: boolean;
  /** The reader may approve or reject it now. */
  can_decide: boolean;
}

export interface ApprovalQueue {
  approvals: ApprovalRequest[];
  your_limit_cents: Cents | null;
}

/** The queue's cache key: the page and the navigation badge share it. */
export const APPROVALS_KEY = ["approvals", "pending"] as const;
/** The badge's cache key; both start with "approvals", so one invalidation reloads both. */
export const APPROVAL_COUNT_KEY = ["approvals", "count"] as const;

/** The pending requests: those the reader may decide first, then those above the reader's limit, then their own. */
export const fetchApprovalQueue = (signal?: AbortSignal) =>
  api.get<ApprovalQueue>("/api/v1/approvals", { signal, query: { status: "pending" } });

/** The account's requests, newest first. */
export const fetchAccountApprovals = async (accountId: number, signal?: AbortSignal) =>
  (await api.get<{ approvals: ApprovalRequest[] }>(`/api/v1/accounts/${accountId}/approvals`, { signal })).approvals;

/** What a decision answers. */
export interface ApprovalDecided {
  approval_request: ApprovalRequest;
  adjustment: { id: number; balance_cents: Cents } | null;
  refund: { id: number; balance_cents: Cents } | null;
}

/** Approves with the version read; posting moves money, so the attempt carries an Idempotency-Key. */
export const approveRequest = (id: number, body: { version: number; note?: string }, key: string) =>
  api.post<ApprovalDecided>(`/api/v1/approvals/${id}/approve`, body, { headers: { "idempotency-key": key } });

/** Rejects with the version read and the reason why. */
export const rejectRequest = (id: number, body: { version: number; note: string }) =>
  api.post<ApprovalDecided>(`/api/v1/approvals/${id}/reject`, body);

/** Rules an approval may be refused by. */
export const OVER_YOUR_LIMIT_RULE = "approvals.over_your_limit";
export const OWN_REQUEST_RULE = "approvals.own_request";

/** How many requests are pending, and how many of them the reader may decide (the navigation badge). */
export const fetchApprovalCount = (signal?: AbortSignal) =>
  api.get<{ pending: number; yours_to_decide: number }>("/api/v1/approvals/count", { signal });
