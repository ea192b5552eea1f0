import type { ApprovalRequest } from "./approvals.js";
import { api } from "./client.js";
import type { Cents } from "./ledger.js";

export type RefundMethod = "check" | "ach";

/** What the workstation sends to refund a credit balance. */
export interface RefundRequest {
  amount_cents: number;
  method: RefundMethod;
  reason: string;
  note?: string;
  processor_token?: string;
  account_last4?: string;
}

/** A refund as the API shows it. */
export interface Refund {
  id: number;
  account_id: number;
  amount_cents: Cents;
  method: RefundMethod;
  payee_name: string;
  payee_address: string | null;
  last4: string | null;
  reason: string;
  reason_label: string;
  note: string | null;
  status: "pending_approval" | "posted" | "rejected";
  item_id: number | null;
  entry_id: number | null;
  accounting_date: string | null;
  requested_by: string;
  approved_by: string | null;
  recorded_at: string;
  version: number;
}

/** What a refund request answers: posted (201), or waiting for approval (202). */
export type RefundResult =
  | (Refund & { balance_cents: Cents })
  | { status: "pending_approval"; approval_request: ApprovalRequest; refund: Refund };

/** The rule a refund above the credit balance breaks (the 422 carries `credit_balance_cents`). */
export const EXCEEDS_CREDIT_RULE = "refunds.exceeds_credit";

export interface RefundReason {
  code: string;
  label: string;
}

/** Requests a refund; `key` is the attempt's Idempotency-Key. */
export const requestRefund = (accountId: number, body: RefundRequest, key: string) =>
  api.post<RefundResult>(`/api/v1/accounts/${accountId}/refunds`, body, { headers: { "idempotency-key": key } });

/** The account's refunds, newest first. */
export const fetchRefunds = async (accountId: number, signal?: AbortSignal) =>
  (await api.get<{ refunds: Refund[] }>(`/api/v1/accounts/${accountId}/refunds`, { signal })).refunds;

/** The refund reasons in force. */
export const fetchRefundReasons = async (signal?: AbortSignal) =>
  (await api.get<{ reasons: RefundReason[] }>("/api/v1/refunds/reasons", { signal })).reasons;
