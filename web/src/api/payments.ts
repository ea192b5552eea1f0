import { api } from "./client.js";
import type { Cents } from "./ledger.js";

/** How a payment reached the utility. */
export const PAYMENT_CHANNELS = ["phone", "mail", "counter", "drop_box", "back_office"] as const;

/** The tenders the workstation takes by hand; card and ACH need a processor's token, which a terminal supplies. */
export type KeyedTender = { type: "check"; check_number: string } | { type: "money_order"; serial_number: string };

/** The simple form of a payment: one tender onto one account. */
export interface PaymentRequest {
  account_id: number;
  amount_cents: number;
  tender: KeyedTender;
  channel: (typeof PAYMENT_CHANNELS)[number];
  note?: string;
}

/** A tender as the API shows it: never more of a card or bank account than its last four. */
export interface Tender {
  type: string;
  amount_cents: Cents;
  /** One line for people: "Check #1234". */
  description: string;
}

/** A payment as POST /payments, /reversal and /transfer answer it (the fields the workstation uses). */
export interface Payment {
  id: number;
  status: string;
  accounting_date: string;
  channel: string;
  total_cents: Cents;
  tenders: Tender[];
  accounts: { account_id: number; account_number: string; amount_cents: Cents; balance_cents: Cents }[];
  reversal: { reason: string; reason_label: string; returned: boolean; fee_cents: Cents | null } | null;
}

/** A payment in an account's history. */
export interface PaymentSummary {
  id: number;
  /** posted | reversed */
  status: string;
  accounting_date: string;
  channel: string;
  total_cents: Cents;
  /** The payment's money on this account now (0 once moved away or reversed). */
  account_amount_cents: Cents;
  account_shares: { amount_cents: Cents; status: string }[];
  tenders: { type: string; amount_cents: Cents; description: string }[];
  taken_by: string;
  reversal_reason: string | null;
  returned: boolean;
}

export interface PaymentPage {
  payments: PaymentSummary[];
  next_cursor: number | null;
}

export interface ReversalReason {
  code: string;
  label: string;
  /** A returned payment adds the returned-payment fee and counts toward cash-only status. */
  returned: boolean;
}

const withKey = (key: string) => ({ headers: { "idempotency-key": key } });

/** Takes a payment; `key` is the attempt's Idempotency-Key (the same on a retry of the same attempt). */
export const takePayment = (body: PaymentRequest, key: string) =>
  api.post<Payment>("/api/v1/payments", body, withKey(key));

/** Reverses a payment with a reason. */
export const reversePayment = (id: number, body: { reason: string; note?: string }, key: string) =>
  api.post<Payment>(`/api/v1/payments/${id}/reversal`, body, withKey(key));

/** Moves all or part of a payment from one account to another. */
export const transferPayment = (
  id: number,
  body: { from_account_id: number; to_account_id: number; amount_cents: number; reason: string },
  key: string,
) => api.post<Payment>(`/api/v1/payments/${id}/transfer`, body, withKey(key));

/** How many payments a page of history holds. */
export const PAYMENT_PAGE = 50;

/** The account's payments, newest first; `before` is the previous page's `next_cursor`. */
export const fetchPayments = (accountId: number, before?: number, signal?: AbortSignal) =>
  api.get<PaymentPage>(`/api/v1/accounts/${accountId}/payments`, { signal, query: { limit: PAYMENT_PAGE, before } });

/** Why a payment may be reversed. */
export const fetchReversalReasons = (signal?: AbortSignal) =>
  api.get<{ reasons: ReversalReason[] }>("/api/v1/payments/reversal-reasons", { signal });

/** The tenders a cash-only account may not pay with (a setting: personal checks and ACH unless changed). */
export const fetchCashOnlyRefusedTenders = async (signal?: AbortSignal) =>
  (await api.get<{ current: string[] }>("/api/v1/settings/payments.cash_only.refused_tenders", { signal })).current;

/** Where the payment's receipt (PDF) is. */
export const receiptUrl = (id: number) => `/api/v1/payments/${id}/receipt.pdf`;

/** A fresh Idempotency-Key (randomUUID needs a secure context; getRandomValues works everywhere). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function" && globalThis.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
